// scenarios/dynamic/road_network.cpp
#include "scenarios/dynamic/road_network.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::scenarios::dynamic {

uint32_t road_network::add_link(uint32_t from_node, uint32_t to_node,
                                 uint32_t seg, float length, float speed_m_s,
                                 float capacity_veh_h, uint8_t num_lanes) {
  auto result = num_links();
  from.push_back(from_node);
  to.push_back(to_node);
  segment.push_back(seg);
  length_m.push_back(length);
  extra_length_m.push_back(0);
  // A vehicle needs at least one step to cross a link: the kernel moves a
  // vehicle over at most one node per step, which keeps the partitions
  // independent within a step.
  free_time_s.push_back(std::max(1.0f, length / std::max(speed_m_s, 0.1f)));
  discharge_veh_s.push_back(capacity_veh_h / 3600.0f);
  // Storage never below one vehicle, or a short link could never be entered.
  storage_veh.push_back(std::max(
    1.0f, static_cast<float>(std::floor(length * num_lanes / jam_spacing_m))));
  lanes.push_back(num_lanes);
  yields.push_back(0);
  gate.push_back(none);
  num_nodes = std::max({num_nodes, from_node + 1, to_node + 1});
  return result;
}

void road_network::finish() {
  auto csr = [&](const std::vector<uint32_t>& key, std::vector<uint32_t>& begin,
                 std::vector<uint32_t>& items) {
    begin.assign(num_nodes + 1, 0);
    for (auto k : key)
      ++begin[k + 1];
    for (uint32_t i = 0; i < num_nodes; ++i)
      begin[i + 1] += begin[i];
    items.assign(key.size(), 0);
    auto cursor = begin;
    for (uint32_t link = 0; link < key.size(); ++link)
      items[cursor[key[link]]++] = link;
  };
  csr(from, out_begin, out_links);
  csr(to, in_begin, in_links);
  node_x.resize(num_nodes, 0);
  node_y.resize(num_nodes, 0);
}

uint32_t road_network::add_fixed_gate(double cycle_s, double share) {
  signal_gate g;
  g.cycle_s = static_cast<float>(cycle_s);
  g.first_interval = static_cast<uint32_t>(green_intervals.size());
  g.num_intervals = 1;
  green_intervals.push_back(
    {0.0f, static_cast<float>(std::clamp(share, 0.0, 1.0) * cycle_s)});
  gates.push_back(g);
  return static_cast<uint32_t>(gates.size() - 1);
}

bool road_network::green_at(uint32_t g, double t) const {
  if (g == none)
    return true;
  const auto& s = gates[g];
  if (s.cycle_s <= 0)
    return true;
  auto in_cycle = std::fmod(t + s.offset_s, static_cast<double>(s.cycle_s));
  if (in_cycle < 0)
    in_cycle += s.cycle_s;
  for (uint32_t i = 0; i < s.num_intervals; ++i) {
    const auto& iv = green_intervals[s.first_interval + i];
    if (in_cycle >= iv.begin_s && in_cycle < iv.end_s)
      return true;
  }
  return false;
}

double road_network::green_share(uint32_t g) const {
  if (g == none || gates[g].cycle_s <= 0)
    return 1.0;
  const auto& s = gates[g];
  double green = 0;
  for (uint32_t i = 0; i < s.num_intervals; ++i) {
    const auto& iv = green_intervals[s.first_interval + i];
    green += iv.end_s - iv.begin_s;
  }
  return std::clamp(green / s.cycle_s, 0.0, 1.0);
}

} // namespace citytwin::scenarios::dynamic
