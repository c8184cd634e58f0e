// twin/broker/notification_queue.hpp
#pragma once

// The bounded queue between the broker and one subscriber. Producers (the
// HTTP threads, the twin mirror) never wait on it: a full queue coalesces
// or drops, and counts what it did, so a slow subscriber costs memory
// bounded by `capacity` and nothing else.

#include "twin/broker/entity_store.hpp"
#include "twin/broker/subscription.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace citytwin::broker {

/// One entity update waiting for delivery.
struct queued_update {
  std::string entity_id;
  entity_ptr entity;
  entity_ptr previous;
  bool deleted = false;
  std::chrono::steady_clock::time_point queued_at;
  /// Updates this one stands for: more than 1 when the producer already
  /// merged several changes of the entity (they count as coalesced).
  uint64_t weight = 1;
};

/// Where every offered update went: offered = delivered + coalesced +
/// dropped + pending + in_flight at any moment.
struct queue_counters {
  uint64_t offered = 0;   ///< updates that matched the subscription
  uint64_t delivered = 0; ///< updates inside notifications that arrived
  uint64_t coalesced = 0; ///< replaced by a newer state of the same entity
  uint64_t dropped = 0;   ///< pushed out of a full queue
  uint64_t pending = 0;   ///< waiting now
  uint64_t in_flight = 0; ///< taken, being delivered
};

class notification_queue {
public:
  notification_queue(queue_policy policy, size_t capacity);

  /// Adds one update; never blocks on the consumer.
  void push(queued_update update);

  /// Takes up to `max` updates, oldest first.
  std::vector<queued_update> take(size_t max);

  /// Puts back updates whose delivery failed, ahead of newer ones; an
  /// entity with a newer update queued meanwhile counts as coalesced.
  void restore(std::vector<queued_update> updates);

  /// Counts updates that reached the subscriber.
  void delivered(size_t n);

  bool empty() const;

  queue_counters counters() const;

  /// Changes policy and capacity (PATCH); excess entries are dropped.
  void reconfigure(queue_policy policy, size_t capacity);

private:
  void drop_excess();

  mutable std::mutex mtx_;
  queue_policy policy_;
  size_t capacity_;
  // drop_oldest: `fifo_` in arrival order. coalesce: `order_` holds ids in
  // arrival order of their first pending update, `latest_` the newest.
  std::deque<queued_update> fifo_;
  std::deque<std::string> order_;
  std::unordered_map<std::string, queued_update> latest_;
  queue_counters counters_;
};

} // namespace citytwin::broker
