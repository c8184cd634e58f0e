// viz/delta_queue.cpp
#include "viz/delta_queue.hpp"

#include <algorithm>
#include <limits>

namespace citytwin::viz {

void delta_queue::add(const twin::delta& d) {
  auto [i, fresh] = index_.try_emplace(d.state.id, items_.size());
  if (fresh) {
    items_.push_back(d);
    return;
  }
  auto& queued = items_[i->second];
  queued.state = d.state;
  queued.changed |= d.changed;
  ++num_coalesced_;
}

namespace {

// Items a drained queue keeps allocated: enough for a steady trickle of
// deltas, far below a snapshot of a city.
constexpr size_t retained_capacity = 256;

} // namespace

twin::delta_batch delta_queue::take(size_t max) {
  auto n = std::min(max, size());
  twin::delta_batch result;
  result.reserve(n);
  for (size_t i = head_; i < head_ + n; ++i) {
    index_.erase(items_[i].state.id);
    result.push_back(std::move(items_[i]));
  }
  head_ += n;
  if (head_ == items_.size()) {
    // A snapshot fills a viewer's queue with the whole city once; with
    // thousands of viewers, keeping that capacity costs ~1 MiB each.
    if (items_.capacity() > retained_capacity) {
      twin::delta_batch{}.swap(items_);
      index_ = {};
    } else {
      items_.clear();
    }
    head_ = 0;
  } else if (head_ > items_.size() / 2) {
    // Compact once most of the vector is taken, so taking in small pieces
    // stays linear overall.
    items_.erase(items_.begin(), items_.begin() + head_);
    for (auto& [id, pos] : index_)
      pos -= head_;
    head_ = 0;
  }
  return result;
}

bool delta_inbox::push(const twin::delta_batch& batch) {
  std::lock_guard guard{mtx_};
  for (const auto& d : batch)
    queue_.add(d);
  if (woken_ || batch.empty())
    return false;
  woken_ = true;
  return true;
}

twin::delta_batch delta_inbox::take_all() {
  std::lock_guard guard{mtx_};
  woken_ = false;
  return queue_.take(std::numeric_limits<size_t>::max());
}

uint64_t delta_inbox::num_coalesced() const {
  std::lock_guard guard{mtx_};
  return queue_.num_coalesced();
}

} // namespace citytwin::viz
