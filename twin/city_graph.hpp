// twin/city_graph.hpp
#pragma once

#include "twin/geo.hpp"

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace citytwin::twin {

/// An intersection: a vertex of the road network.
struct intersection_info {
  uint32_t number = 0; ///< entity number (kind intersection)
  geo_point where;
  uint8_t num_phases = 0; ///< signal phases; 0 = not signalised
};

/// A directed road segment: an edge of the road network.
struct segment_info {
  uint32_t number = 0; ///< entity number (kind road_segment)
  uint32_t from = 0;   ///< intersection number
  uint32_t to = 0;     ///< intersection number
  double length_m = 0;
  uint8_t lanes = 1;
  double speed_limit_kmh = 50;
  double capacity_veh_h = 900;  ///< all lanes together
  std::vector<geo_point> shape; ///< inner points; ends are the intersections
  std::string name;

  /// Travel time at the speed limit, in seconds.
  double free_flow_s() const {
    return length_m / (speed_limit_kmh / 3.6);
  }
};

/// The road network: intersections as vertices, directed segments as edges.
/// Boost.Graph stays behind this class, so callers speak in entity numbers.
class city_graph {
public:
  using graph_type
      = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                              intersection_info, segment_info>;
  using vertex = graph_type::vertex_descriptor;
  using edge = graph_type::edge_descriptor;

  city_graph() = default;

  // Edge descriptors point into the graph they came from, and Boost 1.74's
  // adjacency_list may copy where we ask it to move; so copies and moves
  // rebuild their own edge index instead of taking ours.
  city_graph(const city_graph& other);
  city_graph(city_graph&& other);
  city_graph& operator=(const city_graph& other);
  city_graph& operator=(city_graph&& other);

  /// Adds an intersection; false if its number is taken.
  bool add_intersection(const intersection_info& info);

  /// Adds a segment; false if its number is taken or an end is missing.
  bool add_segment(segment_info info);

  size_t num_intersections() const;
  size_t num_segments() const;

  const intersection_info* find_intersection(uint32_t number) const;
  const segment_info* find_segment(uint32_t number) const;

  /// Segments leaving / entering an intersection, by number.
  std::vector<uint32_t> out_segments(uint32_t intersection) const;
  std::vector<uint32_t> in_segments(uint32_t intersection) const;

  /// All intersections and segments in insertion order.
  std::vector<const intersection_info*> intersections() const;
  std::vector<const segment_info*> segments() const;

  /// The full polyline of a segment: from, shape points, to.
  std::vector<geo_point> geometry(const segment_info& segment) const;

  /// A fastest route at the speed limits (Dijkstra), as segment numbers;
  /// nullopt if `to` cannot be reached from `from`.
  std::optional<std::vector<uint32_t>> fastest_route(uint32_t from,
                                                     uint32_t to) const;

  /// The intersections reachable from `from` by following segments.
  size_t num_reachable(uint32_t from) const;

  /// Sum of all segment lengths, in metres.
  double total_length_m() const;

  /// Read-only access for algorithms that need the Boost graph itself.
  const graph_type& graph() const {
    return graph_;
  }

private:
  void rebuild_edge_index();

  graph_type graph_;
  std::unordered_map<uint32_t, vertex> vertex_by_number_;
  std::unordered_map<uint32_t, edge> edge_by_number_;
  std::vector<uint32_t> segment_order_; // numbers, in insertion order
};

} // namespace citytwin::twin
