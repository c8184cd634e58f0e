// tests/twin/rules/aggregator.cpp: windowed aggregates in simulated time.
#include "adapters/rules/rule_file.hpp"
#include "test_data.hpp"
#include "twin/rules/aggregator.hpp"
#include "twin/rules/city_index.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <tuple>
#include <vector>

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

  explicit aggregate_fixture(const std::string& aggregates,
                             std::function<bool(size_t)> mine = nullptr) {
    auto parsed = rules::parse_rule_file(
      "version: 1\nrules: []\naggregates:\n" + aggregates, "test.yaml",
      city.name);
    if (!parsed)
      FAIL(twin::describe(parsed.error()));
    set = std::make_shared<const rules::rule_set>(std::move(*parsed));
    agg = std::make_unique<rules::aggregator>(
      std::shared_ptr<const std::vector<rules::aggregate>>(set,
                                                           &set->aggregates),
      index, std::move(mine));
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

namespace {

// A fill level reading of one bin.
struct fill_sample {
  entity_id bin;
  twin::time_ms t = 0;
  double v = 0;
};

// Readings up to `end`, evaluated at `end`.
struct fill_batch {
  std::vector<fill_sample> samples;
  twin::time_ms end = 0;
};

// A fixed feed from t0: 40 readings of random bins per 25 s, in random
// order within the batch. Batches straddle panes' ends (25 s does not
// divide a minute), so samples also arrive late, into the pane before.
std::vector<fill_batch> fill_feed(const std::vector<entity_id>& bins,
                                  int batches) {
  constexpr twin::time_ms batch_ms = 25'000;
  constexpr int per_batch = 40;
  std::mt19937 rng{42};
  std::vector<fill_batch> result;
  for (int b = 0; b < batches; ++b) {
    fill_batch batch;
    batch.end = t0 + (b + 1) * batch_ms;
    for (int i = 0; i < per_batch; ++i)
      batch.samples.push_back({bins[rng() % bins.size()],
                               t0 + b * batch_ms
                                 + static_cast<twin::time_ms>(rng() % batch_ms),
                               double(rng() % 101) / 100});
    result.push_back(std::move(batch));
  }
  return result;
}

// The values each evaluation of `f` yields over `feed`.
std::vector<std::vector<rules::aggregate_value>>
run_feed(aggregate_fixture& f, const std::vector<fill_batch>& feed) {
  std::vector<std::vector<rules::aggregate_value>> result;
  for (const auto& batch : feed) {
    for (const auto& x : batch.samples)
      f.fill(x.bin, x.t, x.v);
    result.push_back(f.at(batch.end));
  }
  return result;
}

// Runs `lines` (one aggregate each) together, then each alone, over the
// same feed, and checks that every evaluation yields the same values in
// the same order (alone ones concatenated by their position in the file).
// Returns the values of the shared run and its number of pane sets.
std::pair<std::vector<std::vector<rules::aggregate_value>>, size_t>
shared_equals_separate(const std::vector<std::string>& lines, int batches) {
  std::string all;
  for (const auto& line : lines)
    all += line;
  aggregate_fixture shared{all};
  auto feed = fill_feed(shared.index->all(entity_kind::waste_bin), batches);
  auto together = run_feed(shared, feed);
  std::vector<std::vector<std::vector<rules::aggregate_value>>> alone;
  for (const auto& line : lines) {
    aggregate_fixture f{line};
    REQUIRE(f.agg->num_pane_sets() == 1);
    alone.push_back(run_feed(f, feed));
  }
  for (size_t b = 0; b < feed.size(); ++b) {
    std::vector<rules::aggregate_value> expected;
    for (const auto& one : alone)
      expected.insert(expected.end(), one[b].begin(), one[b].end());
    INFO("evaluation " << b);
    REQUIRE(together[b].size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      const auto& x = together[b][i];
      const auto& y = expected[i];
      INFO(y.aggregate << " " << y.group << " [" << y.window_start << ", "
                       << y.window_end << ")");
      CHECK(x.aggregate == y.aggregate);
      CHECK(x.group == y.group);
      CHECK(x.window_start == y.window_start);
      CHECK(x.window_end == y.window_end);
      CHECK(x.value == y.value); // the same sums in the same order
      CHECK(x.count == y.count);
    }
  }
  return {together, shared.agg->num_pane_sets()};
}

// A window's value from the raw readings, as the aggregate defines it:
// the value and the number of samples with start <= t < end.
std::pair<double, uint64_t> from_raw(const std::vector<fill_batch>& feed,
                                     const std::string& fn,
                                     twin::time_ms start, twin::time_ms end) {
  std::vector<double> in;
  for (const auto& batch : feed)
    for (const auto& x : batch.samples)
      if (start <= x.t && x.t < end)
        in.push_back(x.v);
  std::sort(in.begin(), in.end());
  double sum = 0;
  for (auto v : in)
    sum += v;
  auto n = in.size();
  if (fn == "count")
    return {double(n), n};
  REQUIRE(n > 0);
  if (fn == "avg")
    return {sum / double(n), n};
  if (fn == "sum")
    return {sum, n};
  if (fn == "min")
    return {in.front(), n};
  if (fn == "max")
    return {in.back(), n};
  // p95 by nearest rank: the ceil(0.95 n)-th smallest.
  return {in[size_t(std::ceil(0.95 * double(n))) - 1], n};
}

const std::string fill_of_bins
  = "attribute: fill_level, of: [waste_bin], ";

} // namespace

TEST_CASE("aggregates over the same inputs share a pane set and agree with "
          "separate ones",
          "[twin][rules]") {
  // Tumbling and sliding windows of 1 to 5 minutes, every minute: one
  // pane set for all six.
  std::vector<std::string> lines = {
    "  - { id: mean-1m, " + fill_of_bins + "function: avg, window: 1m }\n",
    "  - { id: peak-3m, " + fill_of_bins
      + "function: max, window: 3m, every: 1m }\n",
    "  - { id: p95-5m, " + fill_of_bins
      + "function: p95, window: 5m, every: 1m }\n",
    "  - { id: count-2m, " + fill_of_bins
      + "function: count, window: 2m, every: 1m }\n",
    "  - { id: min-1m, " + fill_of_bins + "function: min, window: 1m }\n",
    "  - { id: sum-4m, " + fill_of_bins
      + "function: sum, window: 4m, every: 1m }\n",
  };
  // 20 batches of 25 s: readings from t0 to t0 + 500 s, so windows end on
  // t0 + 1m .. t0 + 8m, eight per aggregate (all with samples).
  auto [values, num_sets] = shared_equals_separate(lines, 20);
  CHECK(num_sets == 1);
  aggregate_fixture probe{lines[0]};
  auto feed = fill_feed(probe.index->all(entity_kind::waste_bin), 20);
  const std::map<std::string, twin::time_ms> window_ms
    = {{"mean-1m", 60'000}, {"peak-3m", 180'000}, {"p95-5m", 300'000},
       {"count-2m", 120'000}, {"min-1m", 60'000}, {"sum-4m", 240'000}};
  std::map<std::string, size_t> windows;
  for (const auto& evaluation : values)
    for (const auto& v : evaluation) {
      INFO(v.aggregate << " [" << v.window_start << ", " << v.window_end
                       << ")");
      ++windows[v.aggregate];
      CHECK(v.window_end - v.window_start == window_ms.at(v.aggregate));
      auto [value, count] = from_raw(feed, v.function, v.window_start,
                                     v.window_end);
      CHECK(v.count == count);
      CHECK(v.value == Approx(value));
    }
  REQUIRE(windows.size() == lines.size());
  for (const auto& [id, n] : windows) {
    INFO(id);
    CHECK(n == 8);
  }
}

TEST_CASE("district aggregates share pane sets per cell size",
          "[twin][rules]") {
  auto district = [](const std::string& id, const std::string& rest) {
    return "  - { id: " + id + ", " + fill_of_bins
           + "group_by: district, " + rest + " }\n";
  };
  std::vector<std::string> lines = {
    district("mean-50", "district_m: 50, function: avg, window: 1m"),
    district("peak-50", "district_m: 50, function: max, window: 3m, every: 1m"),
    district("p95-100",
             "district_m: 100, function: p95, window: 2m, every: 1m"),
    district("p95-50", "district_m: 50, function: p95, window: 5m, every: 1m"),
    district("sum-100", "district_m: 100, function: sum, window: 1m"),
  };
  auto [values, num_sets] = shared_equals_separate(lines, 20);
  CHECK(num_sets == 2); // cells of 50 m, cells of 100 m
  std::set<std::string> cells;
  for (const auto& evaluation : values)
    for (const auto& v : evaluation)
      if (v.aggregate == "mean-50")
        cells.insert(v.group);
  // The five bins stand in more than one 50 m cell, so the comparison
  // covers several groups per set.
  CHECK(cells.size() > 1);
}

TEST_CASE("a p95 keeps samples for its own window, not the set's longest",
          "[twin][rules]") {
  // 90,000 samples a minute: a p95 over one minute keeps two panes
  // (180,000, under max_group_samples); kept for the 5-minute average
  // too, its samples would pass the bound and be dropped.
  aggregate_fixture f{"  - { id: p, " + fill_of_bins
                      + "function: p95, window: 1m }\n  - { id: mean, "
                      + fill_of_bins
                      + "function: avg, window: 5m, every: 1m }\n"};
  REQUIRE(f.agg->num_pane_sets() == 1);
  constexpr int per_minute = 90'000;
  static_assert(2 * per_minute < rules::max_group_samples);
  static_assert(3 * per_minute > rules::max_group_samples);
  auto bin = f.index->all(entity_kind::waste_bin).front();
  f.at(t0);
  std::vector<rules::aggregate_value> out;
  for (int m = 0; m < 4; ++m) {
    for (int i = 0; i < per_minute; ++i)
      f.fill(bin, t0 + m * 60'000 + twin::time_ms{i} * 60'000 / per_minute,
             double(i % 100) / 100);
    out = f.at(t0 + (m + 1) * 60'000);
  }
  CHECK(f.agg->num_dropped() == 0);
  REQUIRE(out.size() == 2);
  CHECK(out[0].aggregate == "p");
  CHECK(out[0].count == per_minute);
  CHECK(out[0].value == Approx(0.94)); // 0.00 .. 0.99 evenly: 95th is 0.94
  CHECK(out[1].aggregate == "mean");
  CHECK(out[1].count == 4 * per_minute); // four minutes of the five
  CHECK(out[1].value == Approx(0.495));
}

TEST_CASE("a reload keeps samples by pane set and group", "[twin][rules]") {
  auto line = [](const std::string& id, const std::string& rest) {
    return "  - { id: " + id + ", " + fill_of_bins + rest + " }\n";
  };
  aggregate_fixture before{line("mean", "function: avg, window: 2m, every: 1m")
                           + line("p", "function: p95, window: 2m, every: 1m")};
  auto bins = before.index->all(entity_kind::waste_bin);
  before.at(t0); // windows end on minutes
  for (int i = 0; i < 20; ++i)
    before.fill(bins[i % bins.size()], t0 + 1000 + i * 1000, (i + 1) / 20.0);
  CHECK(before.at(t0 + 30'000).empty());
  SECTION("a new aggregate over the same inputs reads the old samples") {
    aggregate_fixture after{
      line("mean", "function: avg, window: 1m")
      + line("peak", "function: max, window: 2m, every: 1m")
      + line("p", "function: p95, window: 2m, every: 1m")
      + line("fine", "function: avg, window: 30s")}; // panes of 30 s
    after.agg->adopt(*before.agg);
    std::map<std::string, rules::aggregate_value> by_id;
    for (const auto& v : after.at(t0 + 60'000))
      by_id[v.aggregate] = v;
    CHECK(by_id.size() == 3); // "fine" has other panes: nothing to say
    CHECK(by_id["mean"].value == Approx(0.525)); // (0.05 + .. + 1.0) / 20
    CHECK(by_id["mean"].count == 20);
    CHECK(by_id["peak"].value == Approx(1.0));
    CHECK(by_id["peak"].window_start == t0 - 60'000);
    CHECK(by_id["p"].value == Approx(0.95)); // 19th of 20
    CHECK(by_id["p"].count == 20);
    CHECK(by_id.count("fine") == 0);
  }
  SECTION("a p95 added to a set counts only the samples it could keep") {
    auto mean = line("mean", "function: avg, window: 2m, every: 1m");
    aggregate_fixture no_p95{mean};
    no_p95.at(t0);
    for (int i = 0; i < 20; ++i)
      no_p95.fill(bins[i % bins.size()], t0 + 1000 + i * 1000,
                  (i + 1) / 20.0);
    aggregate_fixture after{
      mean + line("p", "function: p95, window: 2m, every: 1m")};
    after.agg->adopt(*no_p95.agg);
    after.fill(bins[0], t0 + 40'000, 0.3); // after the reload
    std::map<std::string, rules::aggregate_value> by_id;
    for (const auto& v : after.at(t0 + 60'000))
      by_id[v.aggregate] = v;
    CHECK(by_id["mean"].count == 21); // the average keeps its samples
    CHECK(by_id["p"].count == 1);     // the p95 starts with the reload
    CHECK(by_id["p"].value == Approx(0.3));
  }
}

TEST_CASE("partitions split aggregates by pane set", "[twin][rules]") {
  auto line = [](const std::string& id, const std::string& rest) {
    return "  - { id: " + id + ", " + fill_of_bins + rest + " }\n";
  };
  // Pane sets: {0, 3} (every minute), {1, 2} (every 30 s), {4} (by kind).
  auto text = line("a0", "function: avg, window: 1m")
              + line("b1", "function: max, window: 30s")
              + line("b2", "function: min, window: 1m, every: 30s")
              + line("a3", "function: p95, window: 2m, every: 1m")
              + line("c4", "function: sum, window: 1m, group_by: kind");
  auto even = [](size_t i) { return i % 2 == 0; };
  auto odd = [](size_t i) { return i % 2 == 1; };
  aggregate_fixture whole{text};
  aggregate_fixture first{text, even};
  aggregate_fixture second{text, odd};
  CHECK(whole.agg->num_pane_sets() == 3);
  CHECK(first.agg->num_pane_sets() == 2); // {0, 3} and {4}
  CHECK(second.agg->num_pane_sets() == 1); // {1, 2}
  auto feed = fill_feed(whole.index->all(entity_kind::waste_bin), 10);
  auto all = run_feed(whole, feed);
  auto p0 = run_feed(first, feed);
  auto p1 = run_feed(second, feed);
  std::map<std::string, std::multiset<std::tuple<twin::time_ms, double>>>
    expected;
  std::map<std::string, std::multiset<std::tuple<twin::time_ms, double>>>
    partitioned;
  for (size_t b = 0; b < feed.size(); ++b) {
    for (const auto& v : all[b])
      expected[v.aggregate].emplace(v.window_end, v.value);
    for (const auto& v : p0[b]) {
      // a3 is odd but shares a0's panes, so the first partition has it.
      CHECK((v.aggregate == "a0" || v.aggregate == "a3"
             || v.aggregate == "c4"));
      partitioned[v.aggregate].emplace(v.window_end, v.value);
    }
    for (const auto& v : p1[b]) {
      CHECK((v.aggregate == "b1" || v.aggregate == "b2"));
      partitioned[v.aggregate].emplace(v.window_end, v.value);
    }
  }
  CHECK(expected.size() == 5);
  CHECK(partitioned == expected);
}

TEST_CASE("districts place entities with sparse numbers too", "[twin][rules]") {
  // The same bins numbered 1,000,000 apart: their positions are kept by
  // id rather than by number, and the districts come out the same.
  auto sparse_city = test::small_city();
  constexpr uint32_t spread = 1'000'000;
  for (auto& p : sparse_city.things)
    if (p.id.kind == entity_kind::waste_bin)
      p.id.number *= spread;
  auto parsed = rules::parse_rule_file(
    "version: 1\nrules: []\naggregates:\n  - { id: d, " + fill_of_bins
      + "group_by: district, district_m: 50, function: count, window: 1m }\n",
    "test.yaml", sparse_city.name);
  REQUIRE(parsed);
  auto set = std::make_shared<const rules::rule_set>(std::move(*parsed));
  auto sparse_index = std::make_shared<const rules::city_index>(sparse_city);
  rules::aggregator sparse{
    std::shared_ptr<const std::vector<rules::aggregate>>(set, &set->aggregates),
    sparse_index};
  aggregate_fixture dense{"  - { id: d, " + fill_of_bins
                          + "group_by: district, district_m: 50, "
                            "function: count, window: 1m }\n"};
  auto bins = dense.index->all(entity_kind::waste_bin);
  auto sparse_bins = sparse_index->all(entity_kind::waste_bin);
  REQUIRE(sparse_bins.size() == bins.size());
  for (size_t i = 0; i < bins.size(); ++i) {
    REQUIRE(sparse_bins[i].number == bins[i].number * spread);
    dense.fill(bins[i], t0 + 1000, 0.5);
    auto s = twin::make_state(sparse_bins[i]);
    s.updated = t0 + 1000;
    s.as<twin::waste_bin_state>().fill_level = 0.5;
    sparse.observe(s, twin::bit(twin::quantity::fill_level));
  }
  std::map<std::string, double> expected;
  for (const auto& v : dense.at(t0 + 60'000))
    expected[v.group] = v.value;
  std::vector<rules::aggregate_value> out;
  sparse.evaluate(t0 + 60'000, out);
  std::map<std::string, double> got;
  for (const auto& v : out)
    got[v.group] = v.value;
  CHECK(expected.size() > 1); // several cells, one count each
  CHECK(got == expected);
}
