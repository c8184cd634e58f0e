// tests/scenarios/live_fork.cpp: what-if runs on a fork of the live twin.
#include "scenarios/dynamic/run_serial.hpp"
#include "scenarios/live_conditions.hpp"
#include "scenarios/scenario_file/scenario_reader.hpp"
#include "scenarios/scenario_service.hpp"
#include "scenarios/scenario_setup.hpp"

#include "actors/alerts.hpp"
#include "actors/audit.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "tests/eventually.hpp"
#include "tests/test_data.hpp"
#include "tests/test_system.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <numeric>
#include <sstream>

using namespace citytwin;
using namespace citytwin::scenarios;
using twin::entity_kind;

namespace {

constexpr twin::time_ms t0 = 1'780'000'000'000;

twin::city demo_city() {
  auto city = twin::load_city(test::project_data_dir() + "/demo.city");
  REQUIRE(city);
  return std::move(*city);
}

// The initial states of the kinds a run forks, as a fork of `c` at rest.
actors::twin_fork fork_at_rest(const twin::city& c) {
  actors::twin_fork result;
  result.city = c.name;
  twin::for_each_initial_state(c, [&](const twin::entity_state& st) {
    auto k = st.id.kind;
    if (k == entity_kind::road_segment || k == entity_kind::intersection
        || k == entity_kind::traffic_counter)
      result.states.push_back(st);
  });
  return result;
}

// Three nodes: 0 -> 1 -> 2 fast, 0 -> 2 direct but slow, 2 -> 0 back.
dynamic::road_network triangle() {
  dynamic::road_network net;
  net.add_link(0, 1, 0, 500, 10, 1800, 1);
  net.add_link(1, 2, 1, 500, 10, 1800, 1);
  net.add_link(0, 2, 2, 900, 5, 1800, 1);
  net.add_link(2, 0, 3, 900, 10, 1800, 1);
  net.finish();
  return net;
}

// Two zone pairs on `triangle`: (origin, destination, veh/s at level 1).
std::vector<std::tuple<uint32_t, uint32_t, double>> triangle_pairs() {
  return {{0, 2, 0.1}, {2, 1, 0.05}};
}

void measure_flow(twin::entity_state& st, double flow) {
  REQUIRE(twin::apply(st, {st.id, t0, flow, twin::quantity::vehicle_flow}));
}

} // namespace

TEST_CASE("fitting to counters recovers a known factor",
          "[scenarios][live_fork]") {
  // 0 -> 1 -> 2 fast, 0 -> 2 direct but slow: trips 0 -> 2 use 0 -> 1 -> 2.
  auto net = triangle();
  auto pairs = triangle_pairs(); // 360 and 180 veh/h
  // Model at level 1: link 0 carries 360 + 0 (2 -> 0 -> 1 uses link 3
  // then 0): 540, link 1: 360, link 3: 180.
  std::vector<double> measured{3 * 540.0, 3 * 360.0, 999, -1};
  auto fit = fit_to_counters(net, pairs, measured);
  CHECK(fit.counted == 2); // link 2 carries nothing, link 3 unmeasured
  CHECK(fit.factor == Approx(3));
  CHECK(fit.rmse_veh_h == Approx(0).margin(1e-9));
  CHECK(fit.observed_veh_h == Approx(2700));
  // Least squares, not a ratio of sums: 540 f ~ 1080, 360 f ~ 360.
  measured = {1080, 360, -1, -1};
  fit = fit_to_counters(net, pairs, measured);
  CHECK(fit.factor
        == Approx((540.0 * 1080 + 360.0 * 360) / (540.0 * 540 + 360 * 360)));
  CHECK(fit.rmse_veh_h > 0);
  // Nothing measured where the demand goes: the level stays.
  fit = fit_to_counters(net, pairs, {-1, -1, 500, -1});
  CHECK(fit.counted == 0);
  CHECK(fit.factor == 1);
}

TEST_CASE("fitting per zone pair recovers what one factor cannot",
          "[scenarios][live_fork]") {
  // Pair A (0 -> 2) uses links 0 and 1, pair B (2 -> 1) links 3 and 0.
  auto net = triangle();
  auto pairs = triangle_pairs();
  // The truth: A three times its level-1 rate, B half of it.
  double a = 0.3 * 3600, b = 0.025 * 3600;
  std::vector<double> measured{a + b, a, -1, b};
  auto od = fit_od_to_counters(net, pairs, measured, 200);
  const auto& fit = od.summary;
  CHECK(fit.counted == 3);
  CHECK(fit.pairs_fitted == 2);
  CHECK(fit.rmse_one_factor_veh_h > 100);
  CHECK(fit.rmse_veh_h < 1);
  REQUIRE(od.rate_veh_s.size() == 2);
  CHECK(od.rate_veh_s[0] == Approx(0.3).epsilon(0.01));
  CHECK(od.rate_veh_s[1] == Approx(0.025).epsilon(0.01));
  CHECK(fit.factor == Approx((0.3 + 0.025) / 0.15).epsilon(0.01));
  // A counter that says nothing passes holds a pair at a tenth of its
  // one-factor rate, not at zero.
  std::vector<double> none_on_3{a, a, -1, 0};
  auto quiet = fit_od_to_counters(net, pairs, none_on_3, 200);
  auto one_factor = fit_to_counters(net, pairs, none_on_3).factor;
  CHECK(quiet.rate_veh_s[1] == Approx(0.05 * one_factor / 10));
  // Pairs that cross no counter keep the one factor.
  auto partial = fit_od_to_counters(net, pairs, {-1, 720, -1, -1}, 200);
  CHECK(partial.summary.pairs_fitted == 1);
  CHECK(partial.rate_veh_s[0] == Approx(0.2));
  CHECK(partial.rate_veh_s[1] == Approx(0.05 * 2));
}

TEST_CASE("a fork's flows and signals become live conditions",
          "[scenarios][live_fork]") {
  auto city = demo_city();
  auto fork = fork_at_rest(city);
  fork.as_of = t0;
  // A segment's own estimate, a counter that replaces another segment's,
  // a flashing light, a light on a commanded plan, one on its own plan.
  uint32_t counted_segment = 0, counter_number = 0;
  for (const auto& p : city.things)
    if (p.id.kind == entity_kind::traffic_counter) {
      counted_segment = p.segment;
      counter_number = p.id.number;
      break;
    }
  std::vector<uint32_t> signalised;
  for (auto& st : fork.states) {
    if (st.id.kind == entity_kind::road_segment && st.id.number == 0
        && counted_segment != 0)
      measure_flow(st, 450);
    if (st.id.kind == entity_kind::road_segment
        && st.id.number == counted_segment)
      measure_flow(st, 100); // the counter counts instead
    if (st.id.kind == entity_kind::traffic_counter
        && st.id.number == counter_number)
      measure_flow(st, 720);
    if (st.id.kind == entity_kind::intersection
        && st.as<twin::intersection_state>().num_phases > 0)
      signalised.push_back(st.id.number);
  }
  REQUIRE(signalised.size() >= 3);
  for (auto& st : fork.states) {
    if (st.id.kind != entity_kind::intersection)
      continue;
    auto& x = st.as<twin::intersection_state>();
    if (st.id.number == signalised[0])
      x.mode = twin::signal_mode::flashing;
    if (st.id.number == signalised[1])
      x.green_s[0] = 40, x.green_s[1] = 20;
  }
  auto live = read_fork(fork, city);
  REQUIRE(live);
  CHECK(live->as_of == t0);
  CHECK(live->segments_forked == city.roads.num_segments());
  CHECK(live->intersections_forked == city.roads.num_intersections());
  REQUIRE(live->flows.size() == 2);
  CHECK(live->flows[0].segment == 0);
  CHECK(live->flows[0].flow_veh_h == 450);
  CHECK(live->flows[1].segment == counted_segment);
  CHECK(live->flows[1].flow_veh_h == 720);
  REQUIRE(live->signals.size() == 2);
  CHECK(live->signals[0].intersection
        == std::min(signalised[0], signalised[1]));
  // Another city's fork is refused.
  fork.city = "elsewhere";
  auto other = read_fork(fork, city);
  REQUIRE_FALSE(other);
  CHECK(twin::describe(other.error()).find("elsewhere") != std::string::npos);
}

TEST_CASE("signals off their plan in the fork stay so for the run",
          "[scenarios][live_fork]") {
  auto city = demo_city();
  std::istringstream in{R"(version: 1
name: live-signals
city: demo
start: "2026-12-05T18:00"
horizon: 30min
background: {level: 0.2}
)"};
  auto spec = read_scenario(in, "inline.yaml", city);
  REQUIRE(spec);
  auto fork = fork_at_rest(city);
  uint32_t red = 0, planned = 0;
  int found = 0;
  for (auto& st : fork.states)
    if (st.id.kind == entity_kind::intersection
        && st.as<twin::intersection_state>().num_phases > 0) {
      auto& x = st.as<twin::intersection_state>();
      if (found == 0) {
        x.mode = twin::signal_mode::all_red;
        red = st.id.number;
      } else if (found == 1) {
        x.green_s[0] = 45;
        x.green_s[1] = 15;
        planned = st.id.number;
      }
      ++found;
    }
  auto live = read_fork(fork, city);
  REQUIRE(live);
  auto setup = make_setup(*spec, city, 1, &*live);
  REQUIRE(setup);
  // Model node of an intersection number.
  auto node_of = [&](uint32_t number) {
    for (uint32_t n = 0; n < setup->intersection_of_node.size(); ++n)
      if (setup->intersection_of_node[n] == number)
        return n;
    FAIL("no node");
    return uint32_t{0};
  };
  const auto& net = setup->net;
  auto approaches = [&](uint32_t number) {
    auto n = node_of(number);
    return std::vector<uint32_t>(net.in_links.begin() + net.in_begin[n],
                                 net.in_links.begin() + net.in_begin[n + 1]);
  };
  auto edit_at_start = [&](uint32_t link) -> const dynamic::network_edit* {
    for (const auto& e : setup->edits)
      if (e.link == link && e.at_s == 0)
        return &e;
    return nullptr;
  };
  for (auto l : approaches(red)) {
    auto* e = edit_at_start(l);
    REQUIRE(e != nullptr);
    CHECK(net.green_share(e->gate) == 0); // never green
  }
  double shares = 0;
  for (auto l : approaches(planned)) {
    auto* e = edit_at_start(l);
    REQUIRE(e != nullptr);
    auto share = net.green_share(e->gate);
    CHECK((share == Approx(0.75) || share == Approx(0.25)));
    CHECK(net.gates[e->gate].cycle_s == 60);
    shares += share;
  }
  CHECK(shares > 0);
  auto notes = std::accumulate(setup->notes.begin(), setup->notes.end(),
                               std::string{});
  CHECK(notes.find("1 all red, 0 flashing (dark), 1 on a commanded plan")
        != std::string::npos);
}

TEST_CASE("the vehicles on the road at the fork start the run",
          "[scenarios][live_fork]") {
  auto city = demo_city();
  std::istringstream in{R"(version: 1
name: on-the-road
city: demo
start: "2026-12-05T18:00"
horizon: 30min
background: {level: 0.1}
)"};
  auto spec = read_scenario(in, "inline.yaml", city);
  REQUIRE(spec);
  // Two roads measured: one flowing freely, one jammed at 6 km/h.
  auto fork = fork_at_rest(city);
  for (auto& st : fork.states)
    if (st.id.kind == entity_kind::road_segment && st.id.number <= 1) {
      measure_flow(st, 900);
      REQUIRE(twin::apply(st, {st.id, t0, st.id.number == 0 ? 200.0 : 6.0,
                               twin::quantity::mean_speed}));
    }
  auto live = read_fork(fork, city);
  REQUIRE(live);
  REQUIRE(live->flows.size() == 2);
  CHECK(live->flows[1].speed_km_h == 6);
  auto setup = make_setup(*spec, city, 1, &*live);
  REQUIRE(setup);
  const auto& net = setup->net;
  const auto& names = setup->trips.group_names;
  REQUIRE(names.back() == "on the road at the fork");
  auto group = static_cast<uint16_t>(names.size() - 1);
  std::map<uint32_t, std::vector<const dynamic::trip*>> by_link;
  for (const auto& t : setup->trips.trips)
    if (t.group == group)
      by_link[t.origin_link].push_back(&t);
  REQUIRE(by_link.size() == 2);
  for (const auto& [link, trips] : by_link) {
    auto segment = net.segment[link];
    // Little's law: 900 veh/h for the time it takes to cross; measured
    // faster than free flow counts as free flow; at most its storage.
    double crossing
      = segment == 0 ? net.free_time_s[link]
                     : std::max<double>(net.length_m[link] / (6 / 3.6),
                                        net.free_time_s[link]);
    auto expected = std::min<double>(900.0 / 3600 * crossing,
                                     net.storage_veh[link]);
    INFO("segment " << segment << ", " << net.length_m[link] << " m");
    CHECK(std::abs(static_cast<double>(trips.size()) - expected) < 1);
    for (size_t k = 0; k < trips.size(); ++k) {
      CHECK(trips[k]->depart_s == 0);
      CHECK(trips[k]->on_link_s >= 0);
      CHECK(trips[k]->on_link_s <= net.free_time_s[link]);
      if (k > 0) // the one furthest along leaves first
        CHECK(trips[k]->on_link_s <= trips[k - 1]->on_link_s);
    }
  }
  CHECK(by_link.rbegin()->second.size() > by_link.begin()->second.size());
  // They drive from the first step: none waits to get onto the road.
  auto result = dynamic::run_serial(*make_model(*setup));
  uint64_t seeded = 0, started = 0;
  for (size_t i = 0; i < setup->trips.trips.size(); ++i)
    if (setup->trips.trips[i].group == group) {
      ++seeded;
      started += result.trips[i].inserted_s == 0;
    }
  CHECK(started == seeded);
  // Offline there is no fork and nobody on the road.
  auto offline = make_setup(*spec, city, 1);
  REQUIRE(offline);
  CHECK(offline->trips.group_names.size() == 1);
}

TEST_CASE("the background follows the counters of the fork",
          "[scenarios][live_fork]") {
  auto city = demo_city();
  std::istringstream in{R"(version: 1
name: live-counters
city: demo
start: "2026-12-05T18:00"
horizon: 30min
background: {level: 1, source: live_counters}
)"};
  auto spec = read_scenario(in, "inline.yaml", city);
  REQUIRE(spec);
  auto trips_with = [&](double flow) {
    auto fork = fork_at_rest(city);
    for (auto& st : fork.states)
      if (st.id.kind == entity_kind::road_segment)
        measure_flow(st, flow);
    auto live = read_fork(fork, city);
    REQUIRE(live);
    auto setup = make_setup(*spec, city, 1, &*live);
    REQUIRE(setup);
    REQUIRE(setup->background_fit);
    CHECK(setup->background_fit->counted > 0);
    auto background = std::count_if(
      setup->trips.trips.begin(), setup->trips.trips.end(),
      [](const auto& t) { return t.group == 0; });
    return std::make_pair(static_cast<size_t>(background),
                          setup->background_fit->factor);
  };
  auto [light, light_factor] = trips_with(40);
  auto [heavy, heavy_factor] = trips_with(120);
  CHECK(heavy_factor == Approx(3 * light_factor));
  CHECK(heavy == Approx(3.0 * light).epsilon(0.01));
  // Without a fork the scenario still runs, and says what stood in.
  auto offline = make_setup(*spec, city, 1);
  REQUIRE(offline);
  CHECK_FALSE(offline->background_fit);
  CHECK(offline->notes.front().find("need a fork") != std::string::npos);
}

namespace {

// A twin of the demo city on a threaded system with its scenario service.
struct served_what_if {
  test::test_system ts;
  twin::city city = demo_city();
  actors::twin_handles twin;
  actors::scenario_service_actor service;

  actors::audit_actor audit;
  actors::alerts_actor alerts;

  explicit served_what_if(scenario_service_options opts = {},
                          bool with_alerts = true) {
    auto h = actors::spawn_twin(*ts.sys, city, {2, 0});
    REQUIRE(h);
    twin = *h;
    audit = ts.sys->spawn(actors::audit, size_t{1000});
    if (with_alerts)
      alerts = ts.sys->spawn(actors::alerts, city.name, audit);
    service = spawn_scenario_service(
      *ts.sys, twin.front, std::make_shared<const twin::city>(city), opts,
      {alerts, audit});
  }

  ~served_what_if() {
    caf::anon_send_exit(service, caf::exit_reason::user_shutdown);
    if (alerts)
      caf::anon_send_exit(alerts, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(audit, caf::exit_reason::user_shutdown);
    actors::stop_twin(*ts.sys, twin);
  }

  // Waits (bounded) until run `id` is done or failed; its report.
  actors::scenario_report finished(uint64_t id) {
    actors::scenario_report r;
    REQUIRE(test::eventually(
      [&] {
        r = report(id);
        return r.status == "done" || r.status == "failed";
      },
      std::chrono::seconds(120)));
    return r;
  }

  template <class T, class... Ts>
  caf::expected<T> ask(const caf::actor& to, Ts&&... xs) {
    caf::scoped_actor self{*ts.sys};
    caf::expected<T> result{caf::error{}};
    self->request(to, std::chrono::seconds(30), std::forward<Ts>(xs)...)
      .receive([&](T& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  caf::expected<uint64_t> submit(const std::string& text) {
    caf::scoped_actor self{*ts.sys};
    caf::expected<uint64_t> result{caf::error{}};
    self->request(service, std::chrono::seconds(30), actors::start_atom_v,
                  text, std::string{"planner:test"})
      .receive([&](uint64_t id) { result = id; },
               [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  actors::scenario_report report(uint64_t id) {
    caf::scoped_actor self{*ts.sys};
    actors::scenario_report result;
    self->request(service, std::chrono::seconds(30), caf::get_atom_v, id)
      .receive([&](actors::scenario_report& r) { result = std::move(r); },
               [&](caf::error& err) { FAIL(twin::describe(err)); });
    return result;
  }
};

const std::string small_event = R"(version: 1
name: served-event
city: demo
start: "2026-12-05T21:00"
horizon: 1h
background: {level: 1, source: live_counters}
events:
  - name: concert
    venue: {intersection: 305}
    attendees: 3000
    departure: {from: "21:10", to: "21:30"}
    car_share: 0.4
    occupancy: 2
    parking:
      - {name: P_North, intersection: 329, spaces: 1000,
         exit_capacity_veh_h: 900}
)";

} // namespace

TEST_CASE("a scenario submitted to the server runs on a fork of the twin",
          "[scenarios][live_fork]") {
  served_what_if s;
  // Live traffic: every segment measured before the fork.
  twin::reading_batch readings;
  for (auto* seg : s.city.roads.segments())
    readings.push_back({{entity_kind::road_segment, seg->number}, t0, 90,
                        twin::quantity::vehicle_flow});
  caf::anon_send(s.twin.front, actors::observe_atom_v, std::move(readings));
  auto id = s.submit(small_event);
  REQUIRE(id);
  actors::scenario_report r;
  REQUIRE(test::eventually(
    [&] {
      r = s.report(*id);
      return r.status == "done" || r.status == "failed";
    },
    std::chrono::seconds(120)));
  INFO(r.error);
  REQUIRE(r.status == "done");
  CHECK(r.name == "served-event");
  CHECK(r.who == "planner:test");
  CHECK(r.as_of == t0);
  CHECK(r.forked_entities
        == s.city.roads.num_segments() + s.city.roads.num_intersections()
             + s.city.count(entity_kind::traffic_counter));
  CHECK(r.simulated_s == Approx(r.horizon_s).margin(1));
  auto results = nlohmann::json::parse(r.results_json);
  CHECK(results["backgroundFit"]["countedRoads"].get<int>() > 0);
  // Background, the event, and the vehicles on the road at the fork.
  REQUIRE(results["groups"].size() == 3);
  CHECK(results["groups"][1]["name"] == "concert");
  CHECK(results["groups"][1]["trips"].get<int>() > 0);
  CHECK(results["groups"][2]["name"] == "on the road at the fork");
  CHECK(results["groups"][2]["trips"].get<int>() > 0);
  CHECK(results["actions"].is_array());
}

TEST_CASE("the server refuses bad scenarios and too many runs, counting",
          "[scenarios][live_fork]") {
  scenario_service_options opts;
  opts.max_running = 1;
  served_what_if s{opts};
  auto bad = s.submit("version: 1\nname: x\ncity: demo\nstart: tomorrow\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == twin::errc::invalid_config);
  CHECK(twin::describe(bad.error()).find("scenario:") != std::string::npos);
  // Naming a server file is a problem, whether it exists or not.
  auto named = s.submit(R"(version: 1
name: x
city: demo
start: "2026-12-05T21:00"
horizon: 1h
background: {source: od_file, od_file: /etc/passwd}
)");
  REQUIRE_FALSE(named);
  CHECK(twin::describe(named.error()).find("cannot name files")
        != std::string::npos);
  // Two at once with room for one: the second arrives while the first is
  // under way (a fork, a setup and 45 simulated minutes take far longer
  // than sending the next message), and is refused.
  caf::scoped_actor self{*s.ts.sys};
  auto first = self->request(s.service, std::chrono::seconds(30),
                             actors::start_atom_v, small_event,
                             std::string{"a"});
  auto second = self->request(s.service, std::chrono::seconds(30),
                              actors::start_atom_v, small_event,
                              std::string{"b"});
  first.receive([](uint64_t) {},
                [](caf::error& err) { FAIL(twin::describe(err)); });
  bool refused = false;
  second.receive([](uint64_t) {},
                 [&](caf::error& err) {
                   refused = err == twin::errc::in_use;
                 });
  CHECK(refused);
  actors::scenario_service_stats stats;
  self->request(s.service, std::chrono::seconds(30), actors::stats_atom_v)
    .receive([&](actors::scenario_service_stats& x) { stats = x; },
             [](caf::error& err) { FAIL(twin::describe(err)); });
  CHECK(stats.refused_invalid == 2);
  CHECK(stats.refused_busy == 1);
  CHECK(stats.submitted == 1);
}

TEST_CASE("a run's recommended actions go to their audiences as alerts",
          "[scenarios][live_fork]") {
  served_what_if s;
  auto id = s.submit(small_event);
  REQUIRE(id);
  auto r = s.finished(*id);
  INFO(r.error);
  REQUIRE(r.status == "done");
  REQUIRE_FALSE(r.actions.empty());
  auto service = caf::actor_cast<caf::actor>(s.service);
  auto alerts = caf::actor_cast<caf::actor>(s.alerts);
  CHECK_FALSE(s.ask<uint32_t>(service, actors::issue_atom_v, *id + 7,
                              std::string{"operator:o"}));
  auto issued = s.ask<uint32_t>(service, actors::issue_atom_v, *id,
                                std::string{"operator:o"});
  REQUIRE(issued);
  CHECK(*issued == r.actions.size());
  // ALERTS holds them now: one per action, with their audiences.
  auto report = s.ask<actors::alerts_report>(alerts, caf::get_atom_v,
                                             actors::rules_atom_v,
                                             uint32_t{100});
  REQUIRE(report);
  REQUIRE(report->alerts.size() == r.actions.size());
  const rules::alert* for_police = nullptr;
  for (const auto& a : report->alerts) {
    CHECK(a.rule.rfind("whatif:run-" + std::to_string(*id) + ":", 0) == 0);
    if (a.audience.find("police") != std::string::npos)
      for_police = &a;
  }
  REQUIRE(for_police != nullptr);
  // The police acknowledge it and report how it went; all audited.
  auto acked = s.ask<rules::alert>(alerts, actors::ack_atom_v, for_police->id,
                                   std::string{"emergency:police"},
                                   twin::time_ms{t0 + 1000});
  REQUIRE(acked);
  auto closed = s.ask<rules::alert>(
    alerts, actors::outcome_atom_v, for_police->id,
    std::string{"emergency:police"}, std::string{"done: kept free"},
    twin::time_ms{t0 + 2000});
  REQUIRE(closed);
  CHECK(closed->status == rules::alert_status::closed);
  CHECK(closed->outcome == "done: kept free");
  // Issuing again raises nothing twice: the open ones count a repeat.
  REQUIRE(s.ask<uint32_t>(service, actors::issue_atom_v, *id,
                          std::string{"operator:o"}));
  auto after = s.ask<actors::alerts_report>(alerts, caf::get_atom_v,
                                            actors::rules_atom_v,
                                            uint32_t{100});
  REQUIRE(after);
  // Only the closed one comes back as a new alert.
  CHECK(after->alerts.size() == r.actions.size() + 1);
  actors::audit_page page;
  REQUIRE(test::eventually([&] {
    auto p = s.ask<actors::audit_page>(caf::actor_cast<caf::actor>(s.audit),
                                       caf::get_atom_v, actors::audit_query{});
    if (p)
      page = *p;
    // Issue, N raises, ack, outcome, issue, one new raise.
    return p && page.entries.size() >= r.actions.size() + 5;
  }));
  auto count = [&](twin::audit_kind k, const std::string& who) {
    return std::count_if(page.entries.begin(), page.entries.end(),
                         [&](auto& e) { return e.what == k && e.who == who; });
  };
  CHECK(count(twin::audit_kind::advice_issued, "operator:o") == 2);
  CHECK(count(twin::audit_kind::alert_acknowledged, "emergency:police") == 1);
  CHECK(count(twin::audit_kind::outcome_reported, "emergency:police") == 1);
}

TEST_CASE("without alerts on the server nothing can be issued",
          "[scenarios][live_fork]") {
  served_what_if s{{}, false};
  auto id = s.submit(small_event);
  REQUIRE(id);
  REQUIRE(s.finished(*id).status == "done");
  auto issued = s.ask<uint32_t>(caf::actor_cast<caf::actor>(s.service),
                                actors::issue_atom_v, *id,
                                std::string{"operator:o"});
  REQUIRE_FALSE(issued);
  CHECK(twin::describe(issued.error()).find("serve --rules")
        != std::string::npos);
}

TEST_CASE("a run's actions put into effect run it again beside it",
          "[scenarios][live_fork]") {
  served_what_if s;
  auto service = caf::actor_cast<caf::actor>(s.service);
  // A crowd that jams the roads round the stadium crossing, so some
  // actions change traffic (data/scenarios/stadium_concert.yaml, smaller).
  auto id = s.submit(R"(version: 1
name: crowded-exit
city: demo
start: "2026-06-13T23:00"
horizon: 90min
background: {level: 1.0}
events:
  - name: concert
    venue: {intersection: 305}
    attendees: 8000
    departure: {from: "+0s", to: "+15min"}
    car_share: 0.5
    occupancy: 2.0
    parking:
      - {name: P_North, intersection: 329, spaces: 2000, exit_capacity_veh_h: 900}
      - {name: P_South, intersection: 281, spaces: 2000, exit_capacity_veh_h: 900}
closures:
  - segments: [1196, 1197]
)");
  REQUIRE(id);
  auto apply = [&](uint64_t run, std::vector<uint32_t> picked) {
    return s.ask<uint64_t>(service, actors::apply_atom_v, run,
                           std::move(picked), std::string{"planner:p"});
  };
  auto base = s.finished(*id);
  INFO(base.error);
  REQUIRE(base.status == "done");
  auto base_results = nlohmann::json::parse(base.results_json);
  std::vector<uint32_t> traffic, advice;
  for (uint32_t n = 0; n < base_results["actions"].size(); ++n)
    (base_results["actions"][n]["changesTraffic"].get<bool>() ? traffic
                                                              : advice)
      .push_back(n);
  REQUIRE_FALSE(traffic.empty());
  REQUIRE_FALSE(advice.empty());
  // Bad requests: an unknown run, an index out of range, an action that
  // only advises people.
  auto unknown = apply(*id + 9, {});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error() == twin::errc::unknown_entity);
  auto beyond = apply(*id, {static_cast<uint32_t>(
                             base_results["actions"].size())});
  REQUIRE_FALSE(beyond);
  CHECK(twin::describe(beyond.error()).find("there is no action")
        != std::string::npos);
  auto advising = apply(*id, {advice.front()});
  REQUIRE_FALSE(advising);
  CHECK(twin::describe(advising.error()).find("changes no traffic")
        != std::string::npos);
  // Every traffic action (none named), and one of them twice by name.
  auto all = apply(*id, {});
  REQUIRE(all);
  auto again = s.finished(*all);
  INFO(again.error);
  REQUIRE(again.status == "done");
  CHECK(again.applied_to == *id);
  CHECK(again.applied.size() == traffic.size());
  CHECK(again.name == base.name);
  CHECK(again.as_of == base.as_of);
  auto results = nlohmann::json::parse(again.results_json);
  CHECK(results["appliedTo"] == *id);
  CHECK(results["applied"].size() == traffic.size());
  // The same trips: the same scenario on the same fork with the same seed.
  REQUIRE(results["groups"].size() == base_results["groups"].size());
  for (size_t g = 0; g < results["groups"].size(); ++g)
    CHECK(results["groups"][g]["trips"] == base_results["groups"][g]["trips"]);
  auto noted = std::any_of(
    results["notes"].begin(), results["notes"].end(), [&](auto& note) {
      return note.template get<std::string>().find(
               "recommended action(s) of run " + std::to_string(*id))
             != std::string::npos;
    });
  CHECK(noted);
  // The road changed, so the run did too (a closure or more green moves
  // some trip).
  CHECK(results["groups"] != base_results["groups"]);
  auto one = apply(*id, {traffic.front(), traffic.front()});
  REQUIRE(one);
  auto single = s.finished(*one);
  REQUIRE(single.status == "done");
  CHECK(single.applied.size() == 1);
}
