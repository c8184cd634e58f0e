// scenarios/dynamic/road_network.hpp
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

namespace citytwin::scenarios::dynamic {

/// "No link" / "no node" in every index array of the dynamic model.
inline constexpr uint32_t none = std::numeric_limits<uint32_t>::max();

/// The fixed-time signal that gates one link: the link may discharge only
/// while (t + offset) mod cycle falls in one of its green intervals.
struct signal_gate {
  float cycle_s = 0;
  float offset_s = 0;
  uint32_t first_interval = 0; ///< into road_network::green_intervals
  uint32_t num_intervals = 0;
};

/// A green interval [begin, end) within a cycle, in seconds.
struct green_interval {
  float begin_s = 0;
  float end_s = 0;
};

/// The road network as the dynamic model sees it: plain arrays indexed by
/// link (= road segment) and node (= intersection), compact so that one
/// simulated second touches little memory. Built once per run from the
/// forked twin or an imported network, then only capacities, closures and
/// signal gates change (scenario edits between steps).
struct road_network {
  uint32_t num_nodes = 0;
  // Per link.
  std::vector<uint32_t> from, to;
  std::vector<uint32_t> segment;     ///< the twin's segment number
  std::vector<float> length_m;       ///< used for speeds and route lengths
  std::vector<float> extra_length_m; ///< junction (internal lane) length
  std::vector<float> free_time_s;    ///< length / speed limit, >= 1 step
  std::vector<float> discharge_veh_s; ///< exit rate while allowed to flow
  std::vector<float> storage_veh;     ///< vehicles the link can hold
  std::vector<uint8_t> lanes;
  /// 1: the link gives way at an unsignalised junction, so what it lets
  /// out depends on the priority traffic crossing there (gap acceptance).
  std::vector<uint8_t> yields;
  std::vector<uint32_t> gate; ///< index into gates, or `none`
  std::vector<signal_gate> gates;
  std::vector<green_interval> green_intervals;
  // Per node: CSR lists of the links leaving / entering it.
  std::vector<uint32_t> out_begin, out_links;
  std::vector<uint32_t> in_begin, in_links;
  // Per node position (any planar unit), used to partition the network.
  std::vector<double> node_x, node_y;

  uint32_t num_links() const {
    return static_cast<uint32_t>(from.size());
  }

  /// Appends a link; call `finish` when all are added.
  uint32_t add_link(uint32_t from_node, uint32_t to_node, uint32_t seg,
                    float length, float speed_m_s, float capacity_veh_h,
                    uint8_t num_lanes);

  /// Builds the CSR lists. Must be called after the last `add_link`.
  void finish();

  /// Adds a gate green for `share` of `cycle_s` from the cycle's start;
  /// its index.
  uint32_t add_fixed_gate(double cycle_s, double share);

  /// True while a gate shows green at simulated time t (`none`: always).
  bool green_at(uint32_t gate_index, double t) const;

  /// Share of the cycle a gate shows green: 1 for `none`.
  double green_share(uint32_t gate_index) const;
};

/// Vehicle length plus gap, as in MATSim and SUMO's jam spacing.
inline constexpr double jam_spacing_m = 7.5;

} // namespace citytwin::scenarios::dynamic
