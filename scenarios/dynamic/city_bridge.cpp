// scenarios/dynamic/city_bridge.cpp
#include "scenarios/dynamic/city_bridge.hpp"

#include <cmath>
#include <unordered_map>

namespace citytwin::scenarios::dynamic {

road_network make_road_network(const twin::city_graph& graph,
                               const city_bridge_options& opts) {
  road_network result;
  // Node index = position in the graph's insertion order; numbers may be
  // sparse, the model's arrays are dense.
  std::unordered_map<uint32_t, uint32_t> node_of;
  auto nodes = graph.intersections();
  for (auto* i : nodes)
    node_of.emplace(i->number, static_cast<uint32_t>(node_of.size()));
  for (auto* s : graph.segments())
    result.add_link(node_of.at(s->from), node_of.at(s->to), s->number,
                    static_cast<float>(s->length_m),
                    static_cast<float>(s->speed_limit_kmh / 3.6),
                    static_cast<float>(s->capacity_veh_h), s->lanes);
  result.num_nodes = static_cast<uint32_t>(nodes.size());
  result.finish();
  for (auto* i : nodes) {
    auto n = node_of.at(i->number);
    // Local metres east/north; only the order matters for partitioning.
    result.node_x[n] = i->where.lon * 111320.0
                       * std::cos(i->where.lat * M_PI / 180.0);
    result.node_y[n] = i->where.lat * 110540.0;
  }
  // Two-stage plans: stage A (north-south approaches) green first, then
  // stage B (east-west); each gets half of the cycle minus lost time.
  auto green = (opts.cycle_s - opts.lost_time_s) / 2;
  uint32_t stage_gate[2];
  for (int stage = 0; stage < 2; ++stage) {
    signal_gate g;
    g.cycle_s = static_cast<float>(opts.cycle_s);
    g.first_interval = static_cast<uint32_t>(result.green_intervals.size());
    g.num_intervals = 1;
    auto begin = stage * (opts.cycle_s / 2);
    result.green_intervals.push_back(
      {static_cast<float>(begin), static_cast<float>(begin + green)});
    stage_gate[stage] = static_cast<uint32_t>(result.gates.size());
    result.gates.push_back(g);
  }
  for (auto* i : nodes) {
    if (i->num_phases == 0)
      continue;
    auto n = node_of.at(i->number);
    for (auto k = result.in_begin[n]; k < result.in_begin[n + 1]; ++k) {
      auto l = result.in_links[k];
      auto dx = result.node_x[n] - result.node_x[result.from[l]];
      auto dy = result.node_y[n] - result.node_y[result.from[l]];
      auto stage = std::abs(dy) >= std::abs(dx) ? 0 : 1;
      result.gate[l] = stage_gate[stage];
      result.discharge_veh_s[l] = static_cast<float>(
        result.lanes[l] * opts.saturation_veh_h_lane / 3600.0);
    }
  }
  return result;
}

} // namespace citytwin::scenarios::dynamic
