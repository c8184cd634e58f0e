// twin/import/sumo_network.hpp
#pragma once

#include "twin/city.hpp"
#include "twin/city_graph.hpp"
#include "twin/geo.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace citytwin::twin::import {

/// How to place and size an imported SUMO network.
struct sumo_network_options {
  /// Lon/lat of the original origin (0, 0) of a net without projection
  /// (projParameter "!"); ignored for UTM nets. See `sumo_projection`.
  std::optional<geo_point> anchor;
  /// Saturation flow of a lane that has right of way at its downstream
  /// junction (every connection major, or an unregulated/dead-end node).
  double priority_lane_capacity_veh_h = 1800;
  /// Capacity of any other lane: it yields, stops or waits for green. Half
  /// the saturation flow, the twin's usual urban lane (see city_file).
  double other_lane_capacity_veh_h = 900;
};

/// One phase of a traffic-light program.
struct sumo_phase {
  double duration_s = 0;
  std::string state; ///< one character per link index: G g y r ...
};

/// A `<tlLogic>` program.
struct sumo_tl_logic {
  std::string id;
  std::string program_id;
  std::string type; ///< static, actuated, ...
  double offset_s = 0;
  std::vector<sumo_phase> phases;
};

/// A lane-to-lane connection between two imported edges: one turn.
struct sumo_connection {
  uint32_t from_segment = 0;
  uint32_t to_segment = 0;
  uint16_t from_lane = 0;
  uint16_t to_lane = 0;
  std::string dir;   ///< s, l, r, t, L, R, invalid
  std::string state; ///< M major, m minor, = equal, o/O off, s stop, ...
  std::string tl;    ///< the controlling tlLogic id, empty if none
  int link_index = -1;
};

/// What an import found, skipped and doubted; every count is of elements
/// in the file, so it can be compared with SUMO's own tools.
struct sumo_import_report {
  std::string version;        ///< the `<net version>` attribute
  std::string projection;     ///< how x/y became lon/lat
  size_t num_edges = 0;       ///< normal edges, each one segment
  size_t num_lanes = 0;       ///< lanes of normal edges
  size_t num_junctions = 0;   ///< non-internal junctions = intersections
  size_t num_traffic_lights = 0; ///< junctions of a traffic_light* type
  size_t num_tl_logics = 0;   ///< `<tlLogic>` programs
  size_t num_connections = 0; ///< between normal edges
  size_t num_internal_connections = 0; ///< from or to internal lanes
  size_t num_internal_edges = 0;       ///< skipped: inside junctions
  size_t num_crossings = 0;            ///< skipped: pedestrian crossings
  size_t num_walking_areas = 0;        ///< skipped
  size_t num_internal_junctions = 0;   ///< skipped
  size_t num_priority_segments = 0;    ///< sized at the priority capacity
  /// `file:line: message` for everything accepted with a doubt: unknown
  /// elements, signals without a program, clamped phase counts.
  std::vector<std::string> warnings;
};

/// A SUMO network converted to the twin's road graph, with the SUMO ids
/// kept so demand and signal programs can be mapped onto segments.
struct sumo_network {
  city_graph roads;
  /// SUMO ids by entity number (segment and intersection numbers are
  /// assigned 0, 1, ... in file order).
  std::vector<std::string> edge_ids;
  std::vector<std::string> junction_ids;
  std::unordered_map<std::string, uint32_t> segment_by_edge;
  std::unordered_map<std::string, uint32_t> intersection_by_junction;
  std::vector<sumo_tl_logic> tl_logics;
  std::vector<sumo_connection> connections;
  geo_point center; ///< of convBoundary
  sumo_import_report report;
};

/// The `<net version>`s this reader understands: 0.13 up to 1.20, i.e.
/// every netconvert output since SUMO 0.13 (2011).
bool supported_net_version(std::string_view version);

/// Reads a SUMO `.net.xml`. Either the whole network loads, or the result
/// is errc::invalid_city listing every problem as `file:line: message`:
/// malformed XML (then only that one), a wrong root element, an
/// unsupported version, missing or invalid attributes, duplicate ids,
/// edges or connections naming missing junctions or edges, values the twin
/// cannot hold (lanes 1..16, speed (0, 300] km/h), and an unsupported
/// projection or a "!" net without `anchor`.
caf::expected<sumo_network> read_sumo_network(std::istream& in,
                                              std::string_view file_name,
                                              const sumo_network_options& opts);

/// Reads a `.net.xml` from disk; errc::io_failure if it cannot be opened.
caf::expected<sumo_network> load_sumo_network(const std::string& path,
                                              const sumo_network_options& opts);

/// A city holding an imported network and no things, centred on it.
city make_city(sumo_network net, std::string name, int utc_offset_min = 0);

} // namespace citytwin::twin::import
