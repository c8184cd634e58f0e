// scenarios/assignment/shortest_path_tree.cpp
#include "scenarios/assignment/shortest_path_tree.hpp"

namespace citytwin::scenarios::assignment {

namespace {

constexpr std::int32_t not_queued = -1;
constexpr std::int32_t done = -2;

} // namespace

shortest_path_tree::shortest_path_tree(std::int32_t num_nodes)
  : distance_(static_cast<std::size_t>(num_nodes), unreachable),
    pred_link_(static_cast<std::size_t>(num_nodes), -1),
    is_target_(static_cast<std::size_t>(num_nodes), 0),
    slot_(static_cast<std::size_t>(num_nodes), not_queued) {
  settled_.reserve(static_cast<std::size_t>(num_nodes));
  touched_.reserve(static_cast<std::size_t>(num_nodes));
  heap_.reserve(static_cast<std::size_t>(num_nodes));
}

void shortest_path_tree::run(const network& net, std::span<const double> cost,
                             node_id origin,
                             std::span<const node_id> targets) {
  // Reset only what the previous run touched.
  for (auto node : touched_) {
    auto n = static_cast<std::size_t>(node);
    distance_[n] = unreachable;
    pred_link_[n] = -1;
    slot_[n] = not_queued;
  }
  touched_.clear();
  settled_.clear();
  heap_.clear();
  std::size_t targets_left = 0;
  for (auto t : targets) {
    auto& flag = is_target_[static_cast<std::size_t>(t)];
    targets_left += flag == 0 ? 1 : 0;
    flag = 1;
  }
  const auto& links = net.links();
  push_or_decrease(origin, 0.0);
  while (!heap_.empty()) {
    auto node = pop();
    settled_.push_back(node);
    auto n = static_cast<std::size_t>(node);
    if (is_target_[n] != 0) {
      is_target_[n] = 0;
      if (--targets_left == 0)
        break;
    }
    if (node != origin && !net.passable(node))
      continue;
    double base = distance_[n];
    for (auto id : net.out_links(node)) {
      auto head = links[static_cast<std::size_t>(id)].to;
      auto h = static_cast<std::size_t>(head);
      double candidate = base + cost[static_cast<std::size_t>(id)];
      if (slot_[h] == done || candidate >= distance_[h])
        continue;
      pred_link_[h] = id;
      push_or_decrease(head, candidate);
    }
  }
  // Targets never reached keep their flag; clear it for the next run.
  for (auto t : targets)
    is_target_[static_cast<std::size_t>(t)] = 0;
}

void shortest_path_tree::push_or_decrease(node_id node, double key) {
  auto n = static_cast<std::size_t>(node);
  if (slot_[n] == not_queued) {
    touched_.push_back(node);
    slot_[n] = static_cast<std::int32_t>(heap_.size());
    heap_.push_back({key, node});
  }
  distance_[n] = key;
  sift_up(static_cast<std::size_t>(slot_[n]), {key, node});
}

node_id shortest_path_tree::pop() {
  auto top = heap_.front().node;
  slot_[static_cast<std::size_t>(top)] = done;
  auto last = heap_.back();
  heap_.pop_back();
  if (!heap_.empty())
    sift_down(0, last);
  return top;
}

void shortest_path_tree::sift_up(std::size_t slot, entry moving) {
  while (slot > 0) {
    auto parent = (slot - 1) / 2;
    if (heap_[parent].key <= moving.key)
      break;
    heap_[slot] = heap_[parent];
    slot_[static_cast<std::size_t>(heap_[slot].node)]
      = static_cast<std::int32_t>(slot);
    slot = parent;
  }
  heap_[slot] = moving;
  slot_[static_cast<std::size_t>(moving.node)] = static_cast<std::int32_t>(slot);
}

void shortest_path_tree::sift_down(std::size_t slot, entry moving) {
  auto size = heap_.size();
  while (true) {
    auto child = 2 * slot + 1;
    if (child >= size)
      break;
    if (child + 1 < size && heap_[child + 1].key < heap_[child].key)
      ++child;
    if (heap_[child].key >= moving.key)
      break;
    heap_[slot] = heap_[child];
    slot_[static_cast<std::size_t>(heap_[slot].node)]
      = static_cast<std::int32_t>(slot);
    slot = child;
  }
  heap_[slot] = moving;
  slot_[static_cast<std::size_t>(moving.node)] = static_cast<std::int32_t>(slot);
}

} // namespace citytwin::scenarios::assignment
