// tests/twin/rules/aggregator.cpp: windowed aggregates in simulated time.
#include "adapters/rules/rule_file.hpp"
#include "test_data.hpp"
#include "twin/rules/aggregator.hpp"
#include "twin/rules/city_index.hpp"

#include <catch2/catch.hpp>

#include <memory>

using namespace citytwin;
using twin::entity_id;
using twin::entity_kind;

namespace {

// A whole minute (28,333,334 of them), where windows of a minute end.
constexpr twin::time_ms t0 = 1'700'000'040'000;

struct aggregate_fixture {
  twin::city city = test::small_city();
  std::shared_ptr<const rules::city_index> index
    = std::make_shared<const rules::city_index>(city);
  std::shared_ptr<const rules::rule_set> set;
  std::unique_ptr<rules::aggregator> agg;

  explicit aggregate_fixture(const std::string& aggregates) {
    auto parsed = rules::parse_rule_file(
      "version: 1\nrules: []\naggregates:\n" + aggregates, "test.yaml",
      city.name);
    if (!parsed)
      FAIL(twin::describe(parsed.error()));
    set = std::make_shared<const rules::rule_set>(std::move(*parsed));
    agg = std::make_unique<rules::aggregator>(
      std::shared_ptr<const std::vector<rules::aggregate>>(set,
                                                           &set->aggregates),
      index);
  }

  void fill(entity_id bin, twin::time_ms t, double v) {
    auto s = twin::make_state(bin);
    s.updated = t;
    s.as<twin::waste_bin_state>().fill_level = v;
    agg->observe(s, twin::bit(twin::quantity::fill_level));
  }

  std::vector<rules::aggregate_value> at(twin::time_ms now) {
    std::vector<rules::aggregate_value> out;
    agg->evaluate(now, out);
    return out;
  }
};

} // namespace

TEST_CASE("a tumbling window averages the samples inside it",
          "[twin][rules]") {
  aggregate_fixture f{R"(  - id: bins
    attribute: fill_level
    of: [waste_bin]
    function: avg
    window: 1m
)"};
  auto bins = f.index->all(entity_kind::waste_bin);
  REQUIRE(bins.size() >= 2);
  CHECK(f.at(t0).empty()); // starts the schedule: windows end on minutes
  f.fill(bins[0], t0 + 1000, 0.2);
  f.fill(bins[1], t0 + 2000, 0.6);
  CHECK(f.at(t0 + 59'000).empty());
  f.fill(bins[0], t0 + 61'000, 0.9); // the next window
  auto out = f.at(t0 + 61'000);
  REQUIRE(out.size() == 1);
  CHECK(out[0].aggregate == "bins");
  CHECK(out[0].group == "all");
  CHECK(out[0].value == Approx(0.4));
  CHECK(out[0].count == 2);
  CHECK(out[0].window_start == t0);
  CHECK(out[0].window_end == t0 + 60'000);
  out = f.at(t0 + 120'000);
  REQUIRE(out.size() == 1);
  CHECK(out[0].value == Approx(0.9));
  CHECK(out[0].count == 1);
  // An empty window yields nothing for an average.
  CHECK(f.at(t0 + 180'000).empty());
}

TEST_CASE("a sliding window overlaps the one before", "[twin][rules]") {
  aggregate_fixture f{R"(  - id: bins-max
    attribute: fill_level
    of: [waste_bin]
    function: max
    window: 2m
    every: 1m
)"};
  auto bin = f.index->all(entity_kind::waste_bin).front();
  f.at(t0);
  f.fill(bin, t0 + 10'000, 0.7);
  f.fill(bin, t0 + 70'000, 0.3);
  auto out = f.at(t0 + 120'000); // the window [t0, t0 + 2m) closes
  REQUIRE_FALSE(out.empty());
  CHECK(out.back().value == Approx(0.7));
  out = f.at(t0 + 180'000); // [t0 + 1m, t0 + 3m): only 0.3
  REQUIRE(out.size() == 1);
  CHECK(out[0].value == Approx(0.3));
}

TEST_CASE("aggregate functions: sum, min, count, p95", "[twin][rules]") {
  aggregate_fixture f{R"(  - { id: s, attribute: fill_level, of: [waste_bin], function: sum, window: 1m }
  - { id: lo, attribute: fill_level, of: [waste_bin], function: min, window: 1m }
  - { id: n, attribute: fill_level, of: [waste_bin], function: count, window: 1m }
  - { id: p, attribute: fill_level, of: [waste_bin], function: p95, window: 1m }
)"};
  auto bin = f.index->all(entity_kind::waste_bin).front();
  f.at(t0);
  for (int i = 1; i <= 20; ++i)
    f.fill(bin, t0 + i * 1000, i / 20.0);
  std::map<std::string, double> by_id;
  for (const auto& v : f.at(t0 + 60'000))
    by_id[v.aggregate] = v.value;
  CHECK(by_id["s"] == Approx(10.5));
  CHECK(by_id["lo"] == Approx(0.05));
  CHECK(by_id["n"] == 20);
  CHECK(by_id["p"] == Approx(0.95)); // nearest rank: the 19th of 20
  // A count says 0 for an empty window; the others say nothing.
  auto empty = f.at(t0 + 120'000);
  REQUIRE(empty.size() == 1);
  CHECK(empty[0].aggregate == "n");
  CHECK(empty[0].value == 0);
}

TEST_CASE("aggregates group per kind and per district", "[twin][rules]") {
  aggregate_fixture f{R"(  - id: by-kind
    attribute: temperature
    of: [waste_bin, air_quality]
    group_by: kind
    function: avg
    window: 1m
  - id: by-district
    attribute: fill_level
    of: [waste_bin]
    group_by: district
    district_m: 200
    function: avg
    window: 1m
)"};
  std::set<std::string> districts;
  f.at(t0);
  for (auto b : f.index->all(entity_kind::waste_bin))
    f.fill(b, t0 + 1000, 0.5);
  // Groups appear with their first sample: one kind, one or more cells.
  CHECK(f.agg->num_groups() >= 2);
  for (const auto& v : f.at(t0 + 60'000)) {
    if (v.aggregate == "by-district") {
      CHECK(v.group.rfind("e", 0) == 0);
      CHECK(v.group.find('n') != std::string::npos);
      districts.insert(v.group);
    } else {
      CHECK(v.group == "waste_bin"); // air quality had no samples
    }
  }
  CHECK_FALSE(districts.empty());
}

TEST_CASE("a reload keeps the samples of groups that still exist",
          "[twin][rules]") {
  std::string text = R"(  - id: bins
    attribute: fill_level
    of: [waste_bin]
    function: avg
    window: 1m
)";
  aggregate_fixture before{text};
  auto bin = before.index->all(entity_kind::waste_bin).front();
  before.at(t0);
  before.fill(bin, t0 + 1000, 0.8);
  aggregate_fixture after{text};
  after.agg->adopt(*before.agg);
  auto out = after.at(t0 + 60'000);
  REQUIRE(out.size() == 1);
  CHECK(out[0].value == Approx(0.8));
}

TEST_CASE("bad aggregates are reported with their lines", "[twin][rules]") {
  auto c = test::small_city();
  auto parsed = rules::parse_rule_file(R"(version: 1
rules: []
aggregates:
  - id: a
    attribute: flow
    of: [waste_bin]
    function: median
    window: 1m
    every: 5m
  - id: a
    attribute: fill_level
    of: [waste_bin]
    entities: [urn:ngsi-ld:WasteBin:test:000001]
    function: avg
    window: soon
)",
                                       "test.yaml", c.name);
  REQUIRE_FALSE(parsed);
  auto text = twin::describe(parsed.error());
  CHECK_THAT(text, Catch::Contains("test.yaml:5:")
                     && Catch::Contains("has no attribute 'flow'"));
  CHECK_THAT(text, Catch::Contains("test.yaml:7:")
                     && Catch::Contains("unknown function 'median'"));
  CHECK_THAT(text, Catch::Contains("test.yaml:9:")
                     && Catch::Contains("'every' must not exceed"));
  CHECK_THAT(text, Catch::Contains("used by another aggregate"));
  CHECK_THAT(text, Catch::Contains("exclude each other"));
  CHECK_THAT(text, Catch::Contains("not a duration: 'soon'"));
}
