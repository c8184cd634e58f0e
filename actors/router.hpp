// actors/router.hpp
#pragma once

#include "actors/directory.hpp"
#include "actors/interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>

namespace citytwin::actors {

/// State of a ROUTER: the shared directory and counters.
struct router_state {
  static inline const char* name = "router";

  std::shared_ptr<const directory> entities;
  router_stats stats;

  /// Groups `readings` by target, keeping each target's readings in their
  /// arrival order, and calls `send(actor, first, last)` once per known
  /// target with the range of its readings. Readings for unknown ids are
  /// counted and dropped.
  template <class Send>
  void route(twin::reading_batch& readings, Send&& send);
};

template <class Send>
void router_state::route(twin::reading_batch& readings, Send&& send) {
  stats.readings += readings.size();
  // Adapters usually deliver a sensor's readings together (a SenML pack);
  // a stable sort keeps the time order within each target.
  auto by_target = [](const twin::reading& a, const twin::reading& b) {
    return twin::pack(a.target) < twin::pack(b.target);
  };
  if (!std::is_sorted(readings.begin(), readings.end(), by_target))
    std::stable_sort(readings.begin(), readings.end(), by_target);
  auto first = readings.begin();
  while (first != readings.end()) {
    auto last = first + 1;
    while (last != readings.end() && last->target == first->target)
      ++last;
    if (auto* handle = entities->find(first->target)) {
      send(*handle, first, last);
      ++stats.messages_out;
    } else {
      stats.unknown_entity += static_cast<uint64_t>(last - first);
    }
    first = last;
  }
}

/// The behavior of a ROUTER over the entities in `entities`.
router_actor::behavior_type
router(router_actor::stateful_pointer<router_state> self,
       std::shared_ptr<const directory> entities);

} // namespace citytwin::actors
