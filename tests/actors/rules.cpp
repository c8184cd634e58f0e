// tests/actors/rules.cpp: RULES actors evaluate on the twin's deltas and
// actuate through it; ALERTS keeps alerts and their lifecycle; AUDIT
// records who did what and why.
#include "actors/spawn_rules.hpp"

#include "actors/type_ids.hpp"
#include "adapters/rules/rule_file.hpp"
#include "deterministic.hpp"
#include "test_data.hpp"
#include "twin/error.hpp"
#include "twin/rules/city_index.hpp"

using namespace citytwin;
using namespace citytwin::actors;
using twin::entity_id;
using twin::entity_kind;
using twin::quantity;

namespace {

constexpr twin::time_ms t0 = 1'700'000'000'000;

constexpr std::string_view busy_road_rules = R"(version: 1
rules:
  - id: busy-road-lights
    for_each: road_segment
    when:
      - attribute: vehicle_flow
        above: 500
    then:
      - command: dim
        to: { kind: street_lamp, along: self }
        level: 1.0
      - alert: threshold
        severity: info
        text: busy road
    otherwise:
      - command: dim
        to: { kind: street_lamp, along: self }
        level: 0.2
)";

struct rules_fixture {
  test::deterministic fix;
  twin::city city = test::small_city();
  std::shared_ptr<const rules::city_index> index
    = std::make_shared<const rules::city_index>(city);
  twin_handles twin;
  running_rules running;
  entity_id road;
  std::vector<entity_id> lamps;

  explicit rules_fixture(std::string_view yaml = busy_road_rules) {
    auto h = spawn_twin(fix.sys, city, {2, 1});
    REQUIRE(h);
    twin = *h;
    running = spawn_rules(fix.sys, twin, city.name, bind(yaml));
    fix.sched.run();
    for (auto seg : index->all(entity_kind::road_segment)) {
      lamps = index->along(seg, entity_kind::street_lamp);
      if (!lamps.empty()) {
        road = seg;
        break;
      }
    }
    REQUIRE_FALSE(lamps.empty());
  }

  std::shared_ptr<const rules::bound_rules> bind(std::string_view yaml) {
    auto parsed = rules::parse_rule_file(yaml, "test.yaml", city.name);
    REQUIRE(parsed);
    auto bound = rules::bind(
      std::make_shared<const rules::rule_set>(std::move(*parsed)), index);
    REQUIRE(bound);
    return std::make_shared<const rules::bound_rules>(std::move(*bound));
  }

  void observe(entity_id id, twin::time_ms t, double v, quantity q) {
    fix.self->send(twin.front, observe_atom_v,
                   twin::reading_batch{{id, t, v, q}});
    fix.sched.run();
  }

  double dim_level(entity_id lamp) {
    auto st = fix.ask<twin::entity_state>(twin.front, caf::get_atom_v, lamp);
    REQUIRE(st);
    return st->as<twin::street_lamp_state>().dim_level;
  }

  std::vector<twin::audit_entry> audit(twin::audit_kind what) {
    auto page = fix.ask<audit_page>(twin.audit, caf::get_atom_v,
                                    audit_query{0, 1000,
                                                static_cast<uint8_t>(what)});
    REQUIRE(page);
    return page->entries;
  }

  alerts_report report() {
    auto r = fix.ask<alerts_report>(running.alerts, caf::get_atom_v,
                                    rules_atom_v, uint32_t{100});
    REQUIRE(r);
    return *r;
  }

  ~rules_fixture() {
    for (auto& e : running.evaluators)
      fix.self->send_exit(e, caf::exit_reason::user_shutdown);
    fix.self->send_exit(running.alerts, caf::exit_reason::user_shutdown);
    fix.sched.run();
  }
};

} // namespace

TEST_CASE("a reading makes a rule actuate lamps through the twin, explained "
          "and audited",
          "[actors][rules]") {
  rules_fixture f;
  f.observe(f.road, t0, 800, quantity::vehicle_flow);
  for (auto lamp : f.lamps)
    CHECK(f.dim_level(lamp) == 1.0);
  auto actuations = f.audit(twin::audit_kind::actuation);
  REQUIRE(actuations.size() == f.lamps.size());
  for (const auto& e : actuations) {
    CHECK(e.who == "rule:busy-road-lights");
    CHECK_THAT(e.why, Catch::Contains("vehicle_flow 800 > 500"));
    CHECK(e.detail == "dim to 1");
  }
  // The alert the rule raised, and its explanation.
  auto r = f.report();
  REQUIRE(r.alerts.size() == 1);
  CHECK(r.alerts.front().status == rules::alert_status::raised);
  CHECK(r.alerts.front().anchor == f.road);
  CHECK(r.num_firings == 1);
  CHECK(f.audit(twin::audit_kind::alert_raised).size() == 1);
  // The road empties: lamps dim, the alert clears.
  f.observe(f.road, t0 + 60'000, 100, quantity::vehicle_flow);
  for (auto lamp : f.lamps)
    CHECK(f.dim_level(lamp) == Approx(0.2));
  r = f.report();
  REQUIRE(r.alerts.size() == 1);
  CHECK(r.alerts.front().status == rules::alert_status::cleared);
  CHECK(f.audit(twin::audit_kind::alert_cleared).size() == 1);
}

TEST_CASE("an alert is acknowledged once, by someone, and audited",
          "[actors][rules]") {
  rules_fixture f;
  f.observe(f.road, t0, 800, quantity::vehicle_flow);
  auto id = f.report().alerts.at(0).id;
  auto acked = f.fix.ask<rules::alert>(f.running.alerts, ack_atom_v, id,
                                       std::string{"operator:alice"}, t0 + 5);
  REQUIRE(acked);
  CHECK(acked->status == rules::alert_status::acknowledged);
  CHECK(acked->acknowledged_by == "operator:alice");
  CHECK_FALSE(f.fix.ask<rules::alert>(f.running.alerts, ack_atom_v, id,
                                      std::string{"operator:bob"}, t0 + 6));
  CHECK_FALSE(f.fix.ask<rules::alert>(f.running.alerts, ack_atom_v,
                                      uint64_t{999}, std::string{"x"}, t0));
  auto entries = f.audit(twin::audit_kind::alert_acknowledged);
  REQUIRE(entries.size() == 1);
  CHECK(entries.front().who == "operator:alice");
  // Cleared after acknowledgement: closed.
  f.observe(f.road, t0 + 60'000, 100, quantity::vehicle_flow);
  CHECK(f.report().alerts.at(0).status == rules::alert_status::closed);
}

TEST_CASE("a command the actuator refuses becomes an alert on it",
          "[actors][rules]") {
  rules_fixture f;
  auto broken = f.lamps.front();
  f.observe(broken, t0, 1, quantity::lamp_fault);
  f.observe(f.road, t0 + 1000, 800, quantity::vehicle_flow);
  auto r = f.report();
  bool refused = false;
  for (const auto& a : r.alerts)
    if (a.kind == "actuator_refused" && a.anchor == broken)
      refused = true;
  CHECK(refused);
  CHECK(f.audit(twin::audit_kind::actuation_refused).size() == 1);
  CHECK(f.dim_level(broken) != 1.0);
}

TEST_CASE("a reload keeps what the rules learned and applies new thresholds",
          "[actors][rules]") {
  rules_fixture f;
  f.observe(f.road, t0, 800, quantity::vehicle_flow);
  auto before = f.audit(twin::audit_kind::actuation).size();
  // The same rules again: nothing is re-sent, the instance stays in force.
  reload_rules(f.running, f.bind(busy_road_rules));
  f.fix.sched.run();
  CHECK(f.audit(twin::audit_kind::actuation).size() == before);
  // A threshold above the current flow: the rule lets go at once.
  std::string higher{busy_road_rules};
  higher.replace(higher.find("above: 500"), 10, "above: 900");
  reload_rules(f.running, f.bind(higher));
  f.fix.sched.run();
  for (auto lamp : f.lamps)
    CHECK(f.dim_level(lamp) == Approx(0.2));
}

TEST_CASE("rule instances are split over one RULES actor per shard",
          "[actors][rules]") {
  rules_fixture f;
  REQUIRE(f.running.evaluators.size() == 2);
  size_t total = 0;
  for (const auto& e : f.running.evaluators) {
    auto status = f.fix.ask<std::vector<rules::rule_status>>(
      e, caf::get_atom_v, rules_atom_v);
    REQUIRE(status);
    REQUIRE(status->size() == 1);
    CHECK(status->front().instances > 0);
    total += status->front().instances;
  }
  CHECK(total == f.index->all(entity_kind::road_segment).size());
}

TEST_CASE("a flapping rule is disabled and reported; the twin keeps running",
          "[actors][rules]") {
  rules_fixture f;
  // 31 changes of mind within one simulated minute.
  for (int i = 0; i < 32; ++i)
    f.observe(f.road, t0 + i * 1000, i % 2 ? 100 : 800,
              quantity::vehicle_flow);
  auto r = f.report();
  bool disabled = false;
  for (const auto& a : r.alerts)
    disabled = disabled || a.kind == "rule_disabled";
  CHECK(disabled);
  REQUIRE(f.audit(twin::audit_kind::rule_disabled).size() == 1);
  // Stopped in every partition, not only where it misbehaved.
  for (const auto& e : f.running.evaluators) {
    auto status = f.fix.ask<std::vector<rules::rule_status>>(
      e, caf::get_atom_v, rules_atom_v);
    REQUIRE(status);
    CHECK(status->front().disabled);
  }
  // Readings still flow.
  f.observe(f.road, t0 + 40'000, 300, quantity::vehicle_flow);
  auto st = f.fix.ask<twin::entity_state>(f.twin.front, caf::get_atom_v, f.road);
  REQUIRE(st);
  CHECK(st->as<twin::road_segment_state>().flow_veh_h == 300);
}

TEST_CASE("RULES watch for stale sensors and lamps that do not follow",
          "[actors][rules][watch]") {
  std::string yaml{busy_road_rules};
  yaml += "watch:\n"
          "  stale_sensors: { of: [road_segment], factor: 3, learn: 3 }\n"
          "  actuators: { confirm_within: 2m }\n";
  rules_fixture f{yaml};
  // Two roads with lamps: both get busy, so their lamps are commanded to
  // full; the first road's lamp confirms, the second's never reports.
  auto roads = f.index->all(entity_kind::road_segment);
  std::vector<entity_id> lit;
  for (auto seg : roads)
    if (!f.index->along(seg, entity_kind::street_lamp).empty())
      lit.push_back(seg);
  REQUIRE(lit.size() >= 2);
  auto quiet_road = lit[0]; // goes silent after 4 minutes
  auto busy_road = lit[1];  // keeps reporting: it moves time on
  auto confirming = f.index->along(quiet_road, entity_kind::street_lamp)[0];
  auto deaf = f.index->along(busy_road, entity_kind::street_lamp);
  for (auto lamp : f.index->along(quiet_road, entity_kind::street_lamp))
    if (lamp != confirming)
      deaf.push_back(lamp);
  constexpr twin::time_ms minute = 60'000;
  auto alerts_of = [&f](std::string_view kind) {
    std::vector<rules::alert> result;
    for (const auto& a : f.report().alerts)
      if (a.kind == kind)
        result.push_back(a);
    return result;
  };
  f.observe(quiet_road, t0, 800, quantity::vehicle_flow);
  f.observe(busy_road, t0, 900, quantity::vehicle_flow);
  f.observe(confirming, t0 + 30'000, 1.0, quantity::dim_level);
  for (int i = 1; i <= 3; ++i) {
    f.observe(quiet_road, t0 + i * minute, 800 + i, quantity::vehicle_flow);
    f.observe(busy_road, t0 + i * minute, 900 + i, quantity::vehicle_flow);
  }
  // Commanded at 0 min: past 2 min every lamp but the confirming one is
  // not responding.
  auto silent = alerts_of("actuator_not_responding");
  REQUIRE(silent.size() == deaf.size());
  for (const auto& a : silent) {
    CHECK(std::find(deaf.begin(), deaf.end(), a.anchor) != deaf.end());
    CHECK(a.rule == rules::actuator_watch_name);
    CHECK(a.status == rules::alert_status::raised);
  }
  CHECK(alerts_of("stale_sensor").empty());
  f.observe(quiet_road, t0 + 4 * minute, 804, quantity::vehicle_flow);
  // The quiet road's last report was at 4 min: stale after 7 min.
  for (int i = 4; i <= 7; ++i)
    f.observe(busy_road, t0 + i * minute, 900 + i, quantity::vehicle_flow);
  CHECK(alerts_of("stale_sensor").empty());
  f.observe(busy_road, t0 + 8 * minute, 908, quantity::vehicle_flow);
  auto stale = alerts_of("stale_sensor");
  REQUIRE(stale.size() == 1);
  CHECK(stale.front().anchor == quiet_road);
  CHECK(stale.front().text == "no data for 4m");
  CHECK(stale.front().status == rules::alert_status::raised);
  // Repeated values do not show in deltas, yet they are reports: the busy
  // road stays fresh although its flow stops changing, and once the quiet
  // road reports again (moving time to 17 min) its alert clears.
  for (int i = 9; i <= 16; ++i)
    f.observe(busy_road, t0 + i * minute, 908, quantity::vehicle_flow);
  f.observe(quiet_road, t0 + 17 * minute, 850, quantity::vehicle_flow);
  stale = alerts_of("stale_sensor");
  REQUIRE(stale.size() == 1);
  CHECK(stale.front().anchor == quiet_road);
  CHECK(stale.front().status == rules::alert_status::cleared);
  // A lamp confirming late clears its alert.
  f.observe(deaf.front(), t0 + 17 * minute, 1.0, quantity::dim_level);
  for (const auto& a : alerts_of("actuator_not_responding"))
    if (a.anchor == deaf.front())
      CHECK(a.status == rules::alert_status::cleared);
}
