// twin/broker/notification_queue.cpp
#include "twin/broker/notification_queue.hpp"

#include <algorithm>

namespace citytwin::broker {

notification_queue::notification_queue(queue_policy policy, size_t capacity)
    : policy_(policy), capacity_(capacity == 0 ? 1 : capacity) {
}

void notification_queue::push(queued_update update) {
  std::lock_guard guard{mtx_};
  counters_.offered += update.weight;
  counters_.coalesced += update.weight - 1;
  if (policy_ == queue_policy::drop_oldest) {
    fifo_.push_back(std::move(update));
  } else {
    auto i = latest_.find(update.entity_id);
    if (i != latest_.end()) {
      // Keep the oldest `previous` so showChanges still reports the value
      // the subscriber last saw.
      update.previous = i->second.previous;
      update.queued_at = i->second.queued_at;
      i->second = std::move(update);
      ++counters_.coalesced;
      return;
    }
    order_.push_back(update.entity_id);
    latest_.emplace(update.entity_id, std::move(update));
  }
  drop_excess();
}

void notification_queue::drop_excess() {
  while (fifo_.size() > capacity_) {
    fifo_.pop_front();
    ++counters_.dropped;
  }
  while (latest_.size() > capacity_) {
    latest_.erase(order_.front());
    order_.pop_front();
    ++counters_.dropped;
  }
}

std::vector<queued_update> notification_queue::take(size_t max) {
  std::vector<queued_update> result;
  std::lock_guard guard{mtx_};
  while (result.size() < max && !fifo_.empty()) {
    result.push_back(std::move(fifo_.front()));
    fifo_.pop_front();
  }
  while (result.size() < max && !order_.empty()) {
    auto i = latest_.find(order_.front());
    order_.pop_front();
    result.push_back(std::move(i->second));
    latest_.erase(i);
  }
  counters_.in_flight += result.size();
  return result;
}

void notification_queue::restore(std::vector<queued_update> updates) {
  std::lock_guard guard{mtx_};
  // Undo the take: these were counted as offered already.
  counters_.in_flight
      -= std::min<uint64_t>(counters_.in_flight, updates.size());
  for (auto i = updates.rbegin(); i != updates.rend(); ++i) {
    if (policy_ == queue_policy::drop_oldest) {
      fifo_.push_front(std::move(*i));
      continue;
    }
    if (latest_.count(i->entity_id) != 0) {
      ++counters_.coalesced;
      continue;
    }
    order_.push_front(i->entity_id);
    latest_.emplace(i->entity_id, std::move(*i));
  }
  drop_excess();
}

void notification_queue::delivered(size_t n) {
  std::lock_guard guard{mtx_};
  counters_.delivered += n;
  counters_.in_flight -= std::min<uint64_t>(counters_.in_flight, n);
}

bool notification_queue::empty() const {
  std::lock_guard guard{mtx_};
  return fifo_.empty() && latest_.empty();
}

queue_counters notification_queue::counters() const {
  std::lock_guard guard{mtx_};
  auto result = counters_;
  result.pending = fifo_.size() + latest_.size();
  return result;
}

void notification_queue::reconfigure(queue_policy policy, size_t capacity) {
  std::lock_guard guard{mtx_};
  capacity_ = capacity == 0 ? 1 : capacity;
  if (policy != policy_) {
    // Move what waits into the other representation, oldest first.
    if (policy == queue_policy::coalesce) {
      for (auto& u : fifo_) {
        if (latest_.count(u.entity_id) == 0)
          order_.push_back(u.entity_id);
        else
          ++counters_.coalesced;
        latest_[u.entity_id] = std::move(u);
      }
      fifo_.clear();
    } else {
      for (auto& id : order_) {
        fifo_.push_back(std::move(latest_[id]));
      }
      order_.clear();
      latest_.clear();
    }
    policy_ = policy;
  }
  drop_excess();
}

} // namespace citytwin::broker
