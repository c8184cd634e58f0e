// scenarios/dynamic/node_heap.hpp
#pragma once

#include "scenarios/dynamic/road_network.hpp"

#include <cstdint>
#include <vector>

namespace citytwin::scenarios::dynamic {

/// A binary min-heap of nodes keyed by an outside distance array, with
/// decrease-key: Dijkstra then holds each node once, not once per
/// relaxation (a third of the pushes on city grids, where most nodes have
/// three or four entering links).
class node_heap {
public:
  /// Prepares for `num_nodes` nodes keyed by `key` (which must outlive
  /// the heap's use and only ever decrease for queued nodes).
  void reset(uint32_t num_nodes, const std::vector<double>* key) {
    key_ = key;
    heap_.clear();
    pos_.assign(num_nodes, none);
  }

  bool empty() const {
    return heap_.empty();
  }

  /// Queues a node, or moves it up after its key decreased.
  void push_or_decrease(uint32_t node) {
    auto i = pos_[node];
    if (i == none) {
      i = static_cast<uint32_t>(heap_.size());
      heap_.push_back(node);
      pos_[node] = i;
    }
    up(i);
  }

  /// Removes and returns the node with the smallest key.
  uint32_t pop() {
    auto result = heap_.front();
    pos_[result] = none;
    auto last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) {
      heap_[0] = last;
      pos_[last] = 0;
      down(0);
    }
    return result;
  }

private:
  double key(uint32_t i) const {
    return (*key_)[heap_[i]];
  }

  void place(uint32_t i, uint32_t node) {
    heap_[i] = node;
    pos_[node] = i;
  }

  void up(uint32_t i) {
    auto node = heap_[i];
    auto k = (*key_)[node];
    while (i > 0) {
      auto parent = (i - 1) / 2;
      if (key(parent) <= k)
        break;
      place(i, heap_[parent]);
      i = parent;
    }
    place(i, node);
  }

  void down(uint32_t i) {
    auto node = heap_[i];
    auto k = (*key_)[node];
    auto n = static_cast<uint32_t>(heap_.size());
    while (true) {
      auto child = 2 * i + 1;
      if (child >= n)
        break;
      if (child + 1 < n && key(child + 1) < key(child))
        ++child;
      if (key(child) >= k)
        break;
      place(i, heap_[child]);
      i = child;
    }
    place(i, node);
  }

  const std::vector<double>* key_ = nullptr;
  std::vector<uint32_t> heap_;
  std::vector<uint32_t> pos_;
};

} // namespace citytwin::scenarios::dynamic
