// actors/publisher.hpp
#pragma once

#include "actors/interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <vector>

namespace citytwin::actors {

/// State of a PUBLISHER: its subscribers with their pending batches, and
/// counters.
struct publisher_state {
  static inline const char* name = "publisher";

  struct subscriber {
    subscriber_actor handle;
    subscription_filter filter;
    twin::delta_batch pending;
  };

  std::vector<subscriber> subscribers;
  publisher_stats stats;

  /// Queues a delta for every subscriber whose filter accepts it.
  void add(const twin::delta& d);

  /// Counts an entity's rejected readings.
  void add(const rejection_report& report);

  /// True if some subscriber's batch reached the size limit.
  bool batch_full() const;

  /// Hands every non-empty pending batch to `send(handle, batch)`.
  template <class Send>
  void flush(Send&& send) {
    for (auto& sub : subscribers)
      if (!sub.pending.empty()) {
        send(sub.handle, std::move(sub.pending));
        sub.pending = {};
        ++stats.batches_sent;
      }
  }

  /// Adds or replaces a subscriber.
  void subscribe(subscriber_actor handle, subscription_filter filter);

  /// Removes a subscriber, dropping its pending deltas.
  void unsubscribe(const caf::actor_addr& addr);
};

/// The behavior of a PUBLISHER.
publisher_actor::behavior_type
publisher(publisher_actor::stateful_pointer<publisher_state> self);

} // namespace citytwin::actors
