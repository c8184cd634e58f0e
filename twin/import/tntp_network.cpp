// twin/import/tntp_network.cpp
#include "twin/import/tntp_network.hpp"

#include "twin/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::twin::import {

namespace {

// The twin's segment limits (see city_file).
constexpr double max_speed_kmh = 300;
constexpr int max_lanes = 16;
constexpr double min_length_m = 1;
constexpr double kmh_per_m_s = 3.6;

} // namespace

caf::expected<tntp_import> convert_tntp(const std::vector<tntp_node>& nodes,
                                        const std::vector<tntp_link>& links,
                                        const tntp_network_options& opts) {
  std::vector<std::string> problems;
  tntp_import result;
  double min_x = std::numeric_limits<double>::infinity();
  double min_y = min_x;
  for (const auto& n : nodes) {
    min_x = std::min(min_x, n.x);
    min_y = std::min(min_y, n.y);
  }
  for (const auto& n : nodes) {
    intersection_info info;
    info.number = n.id;
    info.where = opts.coordinates == tntp_coordinates::lon_lat
                   ? geo_point{n.x, n.y}
                   : offset(opts.anchor, (n.x - min_x) * opts.metres_per_unit,
                            (n.y - min_y) * opts.metres_per_unit);
    if (!valid(info.where))
      problems.push_back("node " + std::to_string(n.id)
                         + ": position is not a valid lon/lat");
    else if (!result.roads.add_intersection(info))
      problems.push_back("node " + std::to_string(n.id) + ": duplicate");
  }
  for (uint32_t i = 0; i < links.size(); ++i) {
    const auto& l = links[i];
    auto what = "link " + std::to_string(i + 1) + " (" + std::to_string(l.from)
                + " -> " + std::to_string(l.to) + ")";
    if (!result.roads.find_intersection(l.from)
        || !result.roads.find_intersection(l.to)) {
      problems.push_back(what + ": names a node without a position");
      continue;
    }
    if (!(l.capacity_veh_h > 0) || !(l.length >= 0)
        || !(l.free_flow_time >= 0) || l.lanes < 0 || l.lanes > max_lanes) {
      problems.push_back(what + ": capacity must be positive, length and "
                                "time non-negative, lanes 0..16");
      continue;
    }
    segment_info info;
    info.number = i;
    info.from = l.from;
    info.to = l.to;
    info.capacity_veh_h = l.capacity_veh_h;
    info.lanes = static_cast<uint8_t>(std::max(l.lanes, 1));
    info.length_m = l.length * opts.metres_per_length_unit;
    if (info.length_m < min_length_m) {
      info.length_m = min_length_m;
      ++result.report.num_length_floored;
    }
    double seconds = l.free_flow_time * opts.seconds_per_time_unit;
    double kmh = seconds > 0 ? info.length_m / seconds * kmh_per_m_s
                             : std::numeric_limits<double>::infinity();
    if (kmh > max_speed_kmh) {
      kmh = max_speed_kmh;
      ++result.report.num_speed_capped;
    }
    info.speed_limit_kmh = kmh;
    result.roads.add_segment(std::move(info));
  }
  if (!problems.empty()) {
    std::string text = std::to_string(problems.size())
                       + " problem(s) in the TNTP network";
    for (const auto& p : problems)
      text += "\n" + p;
    return caf::make_error(errc::invalid_city, std::move(text));
  }
  result.report.num_nodes = result.roads.num_intersections();
  result.report.num_links = result.roads.num_segments();
  return result;
}

} // namespace citytwin::twin::import
