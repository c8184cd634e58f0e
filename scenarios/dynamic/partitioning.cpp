// scenarios/dynamic/partitioning.cpp
#include "scenarios/dynamic/partitioning.hpp"

#include <algorithm>
#include <numeric>

namespace citytwin::scenarios::dynamic {

std::vector<uint32_t> partition_nodes(const road_network& net,
                                      uint32_t num_parts) {
  std::vector<uint32_t> result(net.num_nodes, 0);
  if (num_parts <= 1 || net.num_nodes == 0)
    return result;
  std::vector<uint32_t> order(net.num_nodes);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
    if (net.node_x[a] != net.node_x[b])
      return net.node_x[a] < net.node_x[b];
    return net.node_y[a] < net.node_y[b];
  });
  // Work of a node: one unit plus its entering links.
  double total = 0;
  for (uint32_t n = 0; n < net.num_nodes; ++n)
    total += 1 + net.in_begin[n + 1] - net.in_begin[n];
  double done = 0;
  for (auto n : order) {
    auto part = static_cast<uint32_t>(done * num_parts / total);
    result[n] = std::min(part, num_parts - 1);
    done += 1 + net.in_begin[n + 1] - net.in_begin[n];
  }
  return result;
}

} // namespace citytwin::scenarios::dynamic
