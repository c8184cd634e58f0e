// viz/delta_queue.hpp
#pragma once

#include "twin/entity_state.hpp"

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace citytwin::viz {

/// Deltas waiting for a slow consumer, at most one per entity: a newer
/// delta replaces the queued state of its entity and adds its changed
/// bits, keeping the entity's place in line. Memory is bounded by the
/// number of entities, however far the consumer falls behind.
class delta_queue {
public:
  /// Queues or merges one delta.
  void add(const twin::delta& d);

  /// Removes and returns up to `max` deltas, oldest first.
  twin::delta_batch take(size_t max);

  size_t size() const {
    return items_.size() - head_;
  }

  bool empty() const {
    return size() == 0;
  }

  /// Deltas merged into an already queued one since construction.
  uint64_t num_coalesced() const {
    return num_coalesced_;
  }

private:
  twin::delta_batch items_;
  size_t head_ = 0; ///< items before head_ were taken
  std::unordered_map<twin::entity_id, size_t> index_; ///< into items_
  uint64_t num_coalesced_ = 0;
};

/// A delta_queue handed from the actor that receives deltas to the
/// server's thread. `push` holds a mutex for the length of a merge and
/// never waits on the consumer, so the twin never slows down for viewers.
class delta_inbox {
public:
  /// Queues a batch; true if the consumer must be woken up (the inbox was
  /// drained since the last wake-up).
  bool push(const twin::delta_batch& batch);

  /// Takes everything queued; the next push wakes the consumer again.
  twin::delta_batch take_all();

  uint64_t num_coalesced() const;

private:
  mutable std::mutex mtx_;
  delta_queue queue_;
  bool woken_ = false;
};

} // namespace citytwin::viz
