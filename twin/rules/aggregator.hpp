// twin/rules/aggregator.hpp
#pragma once

#include "twin/entity_state.hpp"
#include "twin/rules/aggregate.hpp"
#include "twin/rules/attribute_reader.hpp"
#include "twin/rules/city_index.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace citytwin::rules {

/// Samples a p95 group keeps at most; past it new samples are dropped (and
/// counted), so a window over a city's worth of lamps stays bounded. The
/// other functions keep no samples, only one accumulator per pane.
constexpr size_t max_group_samples = 200'000;

/// Computes windowed aggregates over the deltas it is shown, in simulated
/// time: each sample is an entity's value at its reading time, added to
/// the pane (`every` long) it falls in, so a sliding window is the sum of
/// its panes and memory does not grow with the reading rate; a window
/// closes when the newest reading time passes its end, and each group of
/// the aggregate yields one value (groups without samples yield none,
/// except counts, which yield 0). Membership is resolved once, from the
/// city: the kinds or the named group, split per kind or per district
/// (square cells of `district_m` on the city's plane, named by their
/// offset from the centre: `e2n-1` is the cell 2 east, 1 south).
class aggregator {
public:
  /// Evaluates the aggregates for which `mine(index)` holds (a partition);
  /// all without it.
  aggregator(std::shared_ptr<const std::vector<aggregate>> aggregates,
             std::shared_ptr<const city_index> city,
             std::function<bool(size_t)> mine = nullptr);

  /// Kinds whose deltas some aggregate reads (bit 1 << kind).
  uint32_t kinds_read() const {
    return kinds_read_;
  }

  /// Takes over the samples of groups that still exist (same aggregate id
  /// and group name) from the aggregator a reload replaces.
  void adopt(aggregator& previous);

  /// Takes an entity's change (`changed` as in deltas).
  void observe(const twin::entity_state& state, uint32_t changed);

  /// Closes the windows that end at or before `now`, appending values.
  void evaluate(twin::time_ms now, std::vector<aggregate_value>& out);

  size_t num_groups() const {
    return groups_.size();
  }

  uint64_t num_dropped() const {
    return num_dropped_;
  }

private:
  struct pane {
    twin::time_ms start = 0;
    uint64_t count = 0;
    double sum = 0;
    double min = 0;
    double max = 0;
    std::vector<double> samples; // p95 only
  };

  struct group {
    uint32_t aggregate = 0;
    std::string name;
    std::deque<pane> panes; // by start, oldest first
    size_t num_samples = 0;
    uint64_t key = 0; // in its schedule's group_of
  };

  void add(group& g, const aggregate& agg, twin::time_ms t, double v);

  struct schedule {
    bool mine = false;          // evaluated in this partition
    twin::time_ms next_end = 0; // 0: not started
    std::vector<uint32_t> groups;
    uint32_t reader = 0;        // per kind read: see readers_of_
    std::unordered_map<uint64_t, uint32_t> group_of; // group key -> group
  };

  // The group of `id` in aggregate `a` (created on its first sample);
  // nullopt if it has no position for a district.
  std::optional<uint32_t> group_for(uint32_t a, twin::entity_id id,
                                    const std::pair<double, double>* where);

  std::shared_ptr<const std::vector<aggregate>> aggregates_;
  std::shared_ptr<const city_index> city_;
  std::vector<group> groups_;
  std::vector<attribute_reader> readers_;
  std::vector<schedule> schedules_; // per aggregate
  // Aggregates over a kind, per kind; named groups' members by entity.
  std::array<std::vector<uint32_t>, twin::num_entity_kinds> by_kind_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_entity_;
  // Reader per (aggregate, kind), by aggregate * kinds + kind index.
  std::unordered_map<uint64_t, uint32_t> reader_of_;
  // Positions on the city's plane (metres east, north of the centre) of
  // entities that district aggregates read, found once.
  std::unordered_map<uint64_t, std::pair<double, double>> plane_;
  std::vector<std::pair<uint32_t, double>> values_; // per observe: reader, value
  uint32_t kinds_read_ = 0;
  uint64_t num_dropped_ = 0;
};

} // namespace citytwin::rules
