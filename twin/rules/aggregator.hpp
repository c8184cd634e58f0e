// twin/rules/aggregator.hpp
#pragma once

#include "twin/entity_state.hpp"
#include "twin/rules/aggregate.hpp"
#include "twin/rules/attribute_reader.hpp"
#include "twin/rules/city_index.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
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
///
/// Aggregates with the same inputs (attribute, kinds or named entities,
/// grouping, `district_m` and `every`) share one *pane set*: its groups
/// and panes (count, sum, min, max, and the samples if one of them is a
/// p95), kept for the longest window among them. A sample is added once
/// per pane set, and each aggregate reads its own window from the shared
/// panes when the window closes.
class aggregator {
public:
  /// Evaluates the aggregates whose pane set is mine: `mine(index)` of the
  /// set's first aggregate (a partition; all without it), so the
  /// aggregates that share their inputs are evaluated together.
  aggregator(std::shared_ptr<const std::vector<aggregate>> aggregates,
             std::shared_ptr<const city_index> city,
             std::function<bool(size_t)> mine = nullptr);

  /// Kinds whose deltas some aggregate reads (bit 1 << kind).
  uint32_t kinds_read() const {
    return kinds_read_;
  }

  /// Takes over the samples of groups that still exist (same pane set
  /// inputs and group name) from the aggregator a reload replaces, and the
  /// window schedule of aggregates that keep their id and inputs.
  void adopt(aggregator& previous);

  /// Takes an entity's change (`changed` as in deltas).
  void observe(const twin::entity_state& state, uint32_t changed);

  /// Closes the windows that end at or before `now`, appending values.
  void evaluate(twin::time_ms now, std::vector<aggregate_value>& out);

  /// Groups kept (per pane set, not per aggregate).
  size_t num_groups() const {
    return groups_.size();
  }

  /// Pane sets evaluated here (aggregates sharing their inputs share one).
  size_t num_pane_sets() const {
    return sets_.size();
  }

  uint64_t num_dropped() const {
    return num_dropped_;
  }

private:
  static constexpr uint32_t none = std::numeric_limits<uint32_t>::max();

  struct pane {
    twin::time_ms start = 0;
    uint64_t count = 0;
    double sum = 0;
    double min = 0;
    double max = 0;
    std::vector<double> samples; // if the set keeps samples
    uint64_t unsampled = 0; // of `count`, samples it no longer holds
  };

  struct group {
    uint32_t set = 0;
    std::string name;
    std::deque<pane> panes; // by start, oldest first
    size_t num_samples = 0;
    uint64_t key = 0; // 0 (none), the kind's index, or the district cell
  };

  // What aggregates have in common to share a pane set; across a reload
  // it finds the set again.
  struct set_key {
    std::string attribute;
    bool named = false;            // members are entities, not kinds
    std::vector<uint64_t> members; // sorted kinds or packed entity ids
    grouping group = grouping::none;
    double district_m = 0; // 0 unless grouped by district
    twin::time_ms every_ms = 0;

    friend bool operator<(const set_key& x, const set_key& y) {
      return std::tie(x.attribute, x.named, x.members, x.group, x.district_m,
                      x.every_ms)
             < std::tie(y.attribute, y.named, y.members, y.group,
                        y.district_m, y.every_ms);
    }

    friend bool operator==(const set_key& x, const set_key& y) {
      return !(x < y) && !(y < x);
    }
  };

  // The inputs of `x`, members sorted and without repeats.
  static set_key key_of(const aggregate& x);

  struct pane_set {
    set_key key;
    std::vector<uint32_t> aggregates; // ascending
    bool samples = false;             // some aggregate is a p95
    bool closed = false;              // a window closed: trim it
    std::array<uint32_t, twin::num_entity_kinds> reader; // per kind, or none
    std::vector<uint32_t> groups;                        // in creation order
    // Group by key: kinds (or 0) directly, district cells by hash.
    std::array<uint32_t, twin::num_entity_kinds> by_kind;
    std::unordered_map<uint64_t, uint32_t> by_cell;
  };

  struct schedule {
    uint32_t set = none;        // none: not evaluated in this partition
    twin::time_ms next_end = 0; // 0: not started
  };

  // Resolves the readers of set `s` and indexes it by kind or member.
  void wire(uint32_t s);

  // Finds the positions of the kinds that district sets read.
  void place();

  // The slot of a group key in `s` (none if the group does not exist).
  static uint32_t& slot(pane_set& s, uint64_t key);

  // Creates the group `key` of set `s`, named `name`.
  uint32_t make_group(uint32_t s, uint64_t key, std::string name);

  // Adds one sample of entity `id` to its group in set `s`.
  void sample(uint32_t s, twin::entity_id id, twin::time_ms t, double v,
              const std::pair<double, double>* where);

  void add(group& g, const pane_set& s, twin::time_ms t, double v);

  // Appends the values of the window [end - window, end) of aggregate `a`.
  void close(uint32_t a, twin::time_ms end, std::vector<aggregate_value>& out);

  // Drops the panes, and the samples, that no aggregate of `s` reads again.
  void trim(pane_set& s);

  std::shared_ptr<const std::vector<aggregate>> aggregates_;
  std::shared_ptr<const city_index> city_;
  std::vector<group> groups_;
  std::vector<pane_set> sets_;      // mine only, by first aggregate
  std::vector<schedule> schedules_; // per aggregate
  std::vector<attribute_reader> readers_;
  // Per reader, the value read from the current delta (when `stamp_`).
  std::vector<double> value_;
  std::vector<uint64_t> read_at_;
  uint64_t stamp_ = 0;
  // Pane sets over a kind, per kind; named groups' sets by member.
  std::array<std::vector<uint32_t>, twin::num_entity_kinds> by_kind_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_entity_;
  // Positions on the city's plane (metres east, north of the centre) of
  // entities that district aggregates read, found once: by kind and
  // number where numbers are dense (NaN: none), else by packed id.
  using point = std::pair<double, double>;
  std::array<bool, twin::num_entity_kinds> placed_{};
  std::array<std::vector<point>, twin::num_entity_kinds> plane_;
  std::unordered_map<uint64_t, point> sparse_plane_;

  // Where `id` stands on the plane; nullptr if nowhere known.
  const point* on_plane(twin::entity_id id) const;
  // evaluate has nothing to do before this, unless a schedule starts.
  twin::time_ms next_due_ = std::numeric_limits<twin::time_ms>::max();
  bool starting_ = false;
  uint32_t kinds_read_ = 0;
  uint64_t num_dropped_ = 0;
};

} // namespace citytwin::rules
