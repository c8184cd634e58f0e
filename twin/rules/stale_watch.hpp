// twin/rules/stale_watch.hpp
#pragma once

#include "twin/entity_state.hpp"
#include "twin/rules/outputs.hpp"
#include "twin/rules/watch.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace citytwin::rules {

/// Finds entities that stopped reporting, in simulated time. Each entity
/// learns its usual interval between reports (a moving average of the
/// gaps between the reading times its deltas carry); one that stays silent
/// for `factor` times that interval (and at least `at_least_ms`) is stale
/// until its next report. Gaps while stale are outages, not intervals, so
/// an outage does not teach the watch to wait longer.
///
/// Deltas only show readings that changed something: a car park reporting
/// "0 free" every minute sends one delta, then none. So a passed deadline
/// makes an entity a *suspect*; the caller asks the twin for its state and
/// hands it to `checked`, and only an entity whose newest reading is still
/// the one the watch knows is raised as stale. (For such entities the
/// learned interval is the interval between changes: detection is later,
/// never false.) Memory is one record per watched entity and at most one
/// deadline each in the queue.
class stale_watch {
public:
  /// Watches the entities for which `mine` holds (this partition's); all
  /// without it.
  explicit stale_watch(stale_watch_config config,
                       std::function<bool(twin::entity_id)> mine = nullptr);

  /// Kinds whose deltas the watch reads (bit 1 << kind); 0 when off.
  uint32_t kinds_read() const {
    return kinds_read_;
  }

  /// Takes a delta's state; clears the stale alert of an entity that
  /// reports again.
  void observe(const twin::entity_state& state,
               std::vector<alert_change>& out);

  /// Appends the entities whose silence passed their deadline by `now`
  /// and that are not known stale yet (once each, until `checked`).
  void evaluate(twin::time_ms now, std::vector<twin::entity_id>& suspects);

  /// Takes the state the twin answered for a suspect: raises its stale
  /// alert when it has not reported since, else watches it again.
  void checked(const twin::entity_state& state, twin::time_ms now,
               std::vector<alert_change>& out);

  /// A suspect the twin no longer has (deleted at runtime): forgotten.
  void forget(twin::entity_id id);

  /// Carries what entities taught the watch over a reload; clears the
  /// alerts of stale entities it no longer watches.
  void adopt(stale_watch& previous, twin::time_ms now,
             std::vector<alert_change>& out);

  size_t num_watched() const {
    return records_.size();
  }

  size_t num_stale() const;

  const stale_watch_config& config() const {
    return config_;
  }

private:
  struct record {
    twin::time_ms last = std::numeric_limits<twin::time_ms>::min();
    double interval_ms = 0; // the usual interval, once `intervals` > 0
    uint32_t intervals = 0;
    bool stale = false;
    bool scheduled = false; // has an entry in `deadlines_`
    bool suspect = false;   // handed out, waiting for `checked`
  };

  bool watched(twin::entity_id id) const;
  twin::time_ms deadline(const record& r) const;
  void schedule(uint64_t key, record& r);
  alert_change change(twin::entity_id id, const record& r, twin::time_ms now,
                      bool raised) const;

  stale_watch_config config_;
  std::function<bool(twin::entity_id)> mine_;
  uint32_t kinds_read_ = 0;
  std::unordered_map<uint64_t, record> records_; // by packed id
  // Min-heap of (deadline, packed id); an entry may be out of date (its
  // entity reported since): it is checked when it comes up.
  std::vector<std::pair<twin::time_ms, uint64_t>> deadlines_;
};

} // namespace citytwin::rules
