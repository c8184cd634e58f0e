// tests/twin/rules/demo_rules.cpp
// Every rule shipped for the demo city (data/rules/demo.yaml), on the demo
// city, fed by hand at chosen simulated times.

#include "tests/test_data.hpp"
#include "tests/twin/rules/rule_fixture.hpp"
#include "twin/city_file.hpp"
#include "twin/rules/city_index.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

using namespace citytwin;
using twin::entity_id;
using twin::entity_kind;

namespace {

std::string demo_rules() {
  std::ifstream in{test::project_data_dir() + "/rules/demo.yaml"};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

twin::city demo_city() {
  auto c = twin::load_city(test::project_data_dir() + "/demo.city");
  REQUIRE(c);
  return std::move(*c);
}

// A December night and noon in Aarhus (UTC+1).
const auto night = test::utc_ms(2026, 12, 7, 22, 0);
const auto noon = test::utc_ms(2026, 12, 7, 11, 0);

std::vector<twin::command> commands_for(const rules::outputs& out,
                                        std::string_view rule) {
  std::vector<twin::command> result;
  for (const auto& c : out.commands)
    if (c.issuer == "rule:" + std::string{rule})
      result.push_back(c);
  return result;
}

std::set<entity_id> targets(const std::vector<twin::command>& cmds) {
  std::set<entity_id> result;
  for (const auto& c : cmds)
    result.insert(c.target);
  return result;
}

// An intersection with a signal, and two approaches with lamps along them.
struct crossing {
  entity_id id;
  uint8_t phases = 0;
  std::vector<entity_id> approaches;
  entity_id lit, dark; // approaches with lamps
  size_t lit_index = 0, dark_index = 0;
};

crossing find_crossing(const rules::city_index& index) {
  for (auto id : index.all(entity_kind::intersection)) {
    auto n = index.num_phases(id);
    if (n < 2)
      continue;
    auto in = index.approaching(id);
    std::vector<size_t> with_lamps;
    for (size_t j = 0; j < in.size(); ++j)
      if (!index.along(in[j], entity_kind::street_lamp).empty())
        with_lamps.push_back(j);
    // Two lamp-lined approaches served by different phases.
    for (size_t a = 0; a < with_lamps.size(); ++a)
      for (size_t b = a + 1; b < with_lamps.size(); ++b)
        if (with_lamps[a] % n != with_lamps[b] % n)
          return {id, n, in, in[with_lamps[a]], in[with_lamps[b]],
                  with_lamps[a], with_lamps[b]};
  }
  FAIL("the demo city has no signalised crossing with two lit approaches");
  return {};
}

} // namespace

TEST_CASE("the demo rules load and bind to the demo city",
          "[twin][rules]") {
  test::rule_fixture f{demo_city(), demo_rules()};
  auto status = f.engine->status();
  REQUIRE(status.size() == 7);
  for (const auto& s : status) {
    INFO(s.id);
    CHECK(s.instances > 0);
  }
}

TEST_CASE("demo rule: lamps follow traffic on approaches at night",
          "[twin][rules]") {
  test::rule_fixture f{demo_city(), demo_rules()};
  auto c = find_crossing(*f.index);
  auto lamps = f.index->along(c.lit, entity_kind::street_lamp);
  auto flow = [&](entity_id seg, double v) {
    f.set<twin::road_segment_state>(seg, [v](auto& s) { s.flow_veh_h = v; });
  };
  SECTION("at night a busy approach raises its lamps, and they dim when it "
          "empties") {
    f.now = night;
    flow(c.lit, 420);
    auto out = f.step();
    auto raised = commands_for(out, "night-lights-follow-traffic");
    // Every lamp along the busy approach, none elsewhere, to full.
    CHECK(targets(raised) == std::set<entity_id>(lamps.begin(), lamps.end()));
    for (const auto& cmd : raised) {
      CHECK(cmd.kind == twin::command_kind::dim);
      CHECK(cmd.level == 1.0);
      // Explained: which input, its value, the threshold and the sun.
      CHECK_THAT(cmd.reason,
                 Catch::Contains("RoadSegment:" + std::to_string(c.lit.number)
                                 + " vehicle_flow 420 > 250")
                   && Catch::Contains("sun elevation -")
                   && Catch::Contains("dim to 1"));
    }
    // Hysteresis: 220 veh/h is below 250 but above 200: lamps stay up.
    f.now += 60'000;
    flow(c.lit, 220);
    CHECK(commands_for(f.step(), "night-lights-follow-traffic").empty());
    f.now += 60'000;
    flow(c.lit, 150);
    auto dimmed = commands_for(f.step(), "night-lights-follow-traffic");
    CHECK(targets(dimmed) == std::set<entity_id>(lamps.begin(), lamps.end()));
    for (const auto& cmd : dimmed)
      CHECK(cmd.level == Approx(0.4));
  }
  SECTION("by day the same traffic leaves the lamps alone") {
    f.now = noon;
    flow(c.lit, 420);
    CHECK(commands_for(f.step(), "night-lights-follow-traffic").empty());
  }
  SECTION("an empty road dims its lamps after ten quiet minutes at night") {
    f.now = night;
    flow(c.dark, 40);
    CHECK(commands_for(f.step(), "night-lights-dim-empty-roads").empty());
    f.now += 9 * 60'000;
    CHECK(commands_for(f.step(), "night-lights-dim-empty-roads").empty());
    f.now += 60'000; // time alone moves the rule on: no new reading
    auto dimmed = commands_for(f.step(), "night-lights-dim-empty-roads");
    auto along = f.index->along(c.dark, entity_kind::street_lamp);
    CHECK(targets(dimmed) == std::set<entity_id>(along.begin(), along.end()));
  }
}

TEST_CASE("demo rule: a signal favours the approach whose lamps are raised",
          "[twin][rules]") {
  test::rule_fixture f{demo_city(), demo_rules()};
  auto c = find_crossing(*f.index);
  f.now = night;
  auto set_lamps = [&](entity_id seg, double level) {
    for (auto lamp : f.index->along(seg, entity_kind::street_lamp))
      f.set<twin::street_lamp_state>(lamp,
                                     [level](auto& s) { s.dim_level = level; });
  };
  for (auto seg : c.approaches)
    set_lamps(seg, 0.4);
  set_lamps(c.lit, 1.0);
  auto plans = commands_for(f.step(), "signal-favours-lit-approach");
  REQUIRE(targets(plans) == std::set<entity_id>{c.id});
  const auto& plan = plans.front();
  CHECK(plan.kind == twin::command_kind::signal_plan);
  REQUIRE(plan.num_phases == c.phases);
  for (size_t p = 0; p < c.phases; ++p) {
    INFO("phase " << p);
    CHECK(plan.green_s[p] == (p == c.lit_index % c.phases ? 45 : 20));
  }
  CHECK_THAT(plan.reason, Catch::Contains("StreetLight:")
                            && Catch::Contains("dim_level 1 > 0.9"));
  // The lamps dim again: back to an equal split.
  f.now += 60'000;
  set_lamps(c.lit, 0.4);
  auto back = commands_for(f.step(), "signal-favours-lit-approach");
  REQUIRE(back.size() == 1);
  for (size_t p = 0; p < c.phases; ++p)
    CHECK(back.front().green_s[p] == 30);
}

TEST_CASE("demo rule: full bins make a collection route along the roads",
          "[twin][rules]") {
  test::rule_fixture f{demo_city(), demo_rules()};
  auto bins = f.index->all(entity_kind::waste_bin);
  REQUIRE(bins.size() >= 10);
  f.now = noon;
  // Everything observed, most bins half full.
  for (auto b : bins)
    f.set<twin::waste_bin_state>(b, [](auto& s) { s.fill_level = 0.5; });
  CHECK(f.step().advice.empty());
  std::vector<entity_id> full = {bins[1], bins[4], bins[7], bins[9]};
  for (auto b : full)
    f.set<twin::waste_bin_state>(b, [](auto& s) { s.fill_level = 0.9; });
  f.set<twin::waste_bin_state>(bins[2], [](auto& s) { s.fill_level = 0.84; });
  auto out = f.step();
  REQUIRE(out.advice.size() == 1);
  const auto& route = out.advice.front();
  CHECK(route.what == rules::recommendation::collection_route);
  CHECK(route.issued);
  CHECK(route.audience == "operator");
  // Exactly the full bins, each once, the first nearest the centre.
  auto stops = route.entities;
  std::sort(stops.begin(), stops.end());
  CHECK(stops == full);
  auto dist = [&](entity_id b) {
    return twin::distance_m(*f.index->position(b), f.city->center);
  };
  for (auto b : full)
    CHECK(dist(route.entities.front()) <= dist(b));
  CHECK(route.route_length_m > 0);
  CHECK(std::isfinite(route.route_length_m));
  // Another bin fills: the route is issued again with it.
  f.now += 60'000;
  f.set<twin::waste_bin_state>(bins[2], [](auto& s) { s.fill_level = 0.95; });
  auto again = f.step();
  REQUIRE(again.advice.size() == 1);
  CHECK(again.advice.front().entities.size() == 5);
  // All emptied: the recommendation is withdrawn.
  f.now += 60'000;
  for (auto b : bins)
    f.set<twin::waste_bin_state>(b, [](auto& s) { s.fill_level = 0.1; });
  auto done = f.step();
  REQUIRE(done.advice.size() == 1);
  CHECK_FALSE(done.advice.front().issued);
}

TEST_CASE("demo rule: PM2.5 over 25 for 15 minutes diverts heavy traffic",
          "[twin][rules]") {
  test::rule_fixture f{demo_city(), demo_rules()};
  auto station = f.index->all(entity_kind::air_quality).front();
  auto pm25 = [&](double v) {
    f.set<twin::air_quality_state>(station, [v](auto& s) { s.pm25 = v; });
  };
  f.now = noon;
  pm25(31);
  CHECK(f.step().alerts.empty());
  f.now += 14 * 60'000;
  pm25(29);
  CHECK(f.step().alerts.empty());
  f.now += 60'000;
  pm25(27);
  auto out = f.step();
  REQUIRE(out.alerts.size() == 1);
  CHECK(out.alerts.front().raised);
  CHECK(out.alerts.front().kind == "threshold");
  CHECK(out.alerts.front().anchor == station);
  CHECK_THAT(out.alerts.front().why,
             Catch::Contains("pm25 27 > 25") && Catch::Contains("for 15m"));
  REQUIRE(out.advice.size() == 1);
  const auto& divert = out.advice.front();
  CHECK(divert.what == rules::recommendation::divert_heavy_traffic);
  REQUIRE_FALSE(divert.entities.empty());
  auto where = *f.index->position(station);
  for (auto seg : divert.entities) {
    CHECK(seg.kind == entity_kind::road_segment);
    CHECK(twin::distance_m(*f.index->position(seg), where) <= 500.5);
  }
  // 22 is under 25 but within the hysteresis: nothing changes.
  f.now += 60'000;
  pm25(22);
  CHECK(f.step().empty());
  f.now += 60'000;
  pm25(18);
  auto cleared = f.step();
  REQUIRE(cleared.alerts.size() == 1);
  CHECK_FALSE(cleared.alerts.front().raised);
  REQUIRE(cleared.advice.size() == 1);
  CHECK_FALSE(cleared.advice.front().issued);
}

TEST_CASE("demo rule: a full car park guides drivers to the nearest with "
          "space",
          "[twin][rules]") {
  test::rule_fixture f{demo_city(), demo_rules()};
  auto parks = f.index->all(entity_kind::parking_sensor);
  auto park = parks.front();
  auto nearby = f.index->nearest(*f.index->position(park), 5,
                                 entity_kind::parking_sensor, park);
  REQUIRE(nearby.size() == 5);
  f.now = noon;
  auto spaces = [&](entity_id p, uint32_t free) {
    f.set<twin::parking_sensor_state>(p, [free](auto& s) {
      s.capacity = 100;
      s.free = free;
      s.full = free == 0;
    });
  };
  for (auto p : parks)
    spaces(p, 30);
  spaces(nearby[0], 0); // the nearest is full as well
  f.step();
  spaces(park, 0);
  auto out = f.step();
  std::vector<rules::advice> mine;
  for (auto& a : out.advice)
    if (a.anchor == park)
      mine.push_back(a);
  REQUIRE(mine.size() == 1);
  CHECK(mine.front().what == rules::recommendation::guide_to_nearest_free);
  CHECK(mine.front().audience == "public");
  CHECK(mine.front().entities == std::vector<entity_id>{nearby[1]});
  // That one fills up too: drivers are sent on to the next.
  f.now += 60'000;
  spaces(nearby[1], 0);
  auto next = f.step();
  bool redirected = false;
  for (auto& a : next.advice)
    if (a.anchor == park && a.issued)
      redirected = a.entities == std::vector<entity_id>{nearby[2]};
  CHECK(redirected);
}

TEST_CASE("demo rule: a jammed road raises an alert and advice on signals",
          "[twin][rules]") {
  test::rule_fixture f{demo_city(), demo_rules()};
  auto road = f.index->all(entity_kind::road_segment).at(5);
  auto level = [&](twin::congestion c) {
    f.set<twin::road_segment_state>(road, [c](auto& s) { s.level = c; });
  };
  f.now = noon;
  level(twin::congestion::heavy);
  CHECK(f.step().alerts.empty());
  f.now += 60'000;
  level(twin::congestion::jammed);
  auto out = f.step();
  REQUIRE(out.alerts.size() == 1);
  CHECK(out.alerts.front().anchor == road);
  CHECK(out.alerts.front().level == rules::severity::critical);
  REQUIRE(out.advice.size() == 1);
  CHECK_THAT(out.advice.front().text, Catch::Contains("signal timing"));
  f.now += 60'000;
  level(twin::congestion::moderate);
  auto cleared = f.step();
  REQUIRE(cleared.alerts.size() == 1);
  CHECK_FALSE(cleared.alerts.front().raised);
}

TEST_CASE("a favoured plan follows the first attribute clause when the sun "
          "comes first",
          "[twin][rules]") {
  // The example of data/rules/README.md.
  constexpr std::string_view yaml = R"(version: 1
rules:
  - id: night-lights-follow-traffic
    for_each: intersection
    signalised_only: true
    when:
      - sun_below: -6
      - attribute: vehicle_flow
        of: approaching
        above: 250
    then:
      - command: signal_plan
        to: self
        plan: favour
        green_s: [45, 20]
)";
  test::rule_fixture f{demo_city(), yaml};
  auto c = find_crossing(*f.index);
  f.now = night;
  f.set<twin::road_segment_state>(c.lit, [](auto& s) { s.flow_veh_h = 400; });
  auto plans = commands_for(f.step(), "night-lights-follow-traffic");
  REQUIRE(plans.size() == 1);
  for (size_t p = 0; p < c.phases; ++p)
    CHECK(plans.front().green_s[p] == (p == c.lit_index % c.phases ? 45 : 20));
}

TEST_CASE("following many matched inputs in a minute is not flapping",
          "[twin][rules]") {
  test::rule_fixture f{demo_city(), demo_rules()};
  auto bins = f.index->all(entity_kind::waste_bin);
  REQUIRE(bins.size() >= 60);
  f.now = noon;
  // Sixty bins fill up within one simulated minute: the route is issued
  // again each time, and the rule stays enabled.
  size_t issued = 0;
  for (size_t i = 0; i < 60; ++i) {
    f.now += 1000;
    f.set<twin::waste_bin_state>(bins[i], [](auto& s) { s.fill_level = 0.9; });
    for (const auto& a : f.step().advice)
      issued += a.issued && a.rule == "bins-collection-route" ? 1 : 0;
  }
  CHECK(issued == 60);
  for (const auto& s : f.engine->status())
    if (s.id == "bins-collection-route")
      CHECK_FALSE(s.disabled);
}
