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
  /// A signalised lane gets this flow times its green share g/C.
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
  std::string source; ///< `file:line` of the `<tlLogic>` tag

  /// The cycle length: the sum of the phase durations.
  double cycle_s() const;
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
  std::string via;   ///< the first internal lane crossing the junction
  /// Length of the way across the junction: the `via` lane plus the
  /// internal lanes it chains to (internal junctions); 0 without `via`.
  double via_length_m = 0;
};

/// What the import knows about a segment beyond its `segment_info`, by
/// segment number. See README "Capacity".
struct sumo_segment_details {
  uint16_t car_lane_mask = 0; ///< bit i: lane i admits vClass passenger
  uint8_t car_lanes = 0;      ///< lanes admitting passenger cars
  bool priority = false;      ///< every connection major, or none at all
  bool signalised = false;    ///< a connection names a loaded program
  /// Effective green share g/C of the capacity lanes (mean over them);
  /// 1 if unsignalised.
  double green_share = 1;
  double cycle_s = 0; ///< of the controlling program; 0 if unsignalised
  /// Mean `via_length_m` of the connections leaving the segment: what a
  /// vehicle drives inside the downstream junction. Not in `length_m`.
  double junction_length_m = 0;
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
  size_t num_car_lanes = 0;         ///< lanes admitting vClass passenger
  size_t num_car_free_segments = 0; ///< no car lane: sized on all lanes
  size_t num_signalised_segments = 0; ///< sized by green share
  /// Signalised lanes with no connection: they add no capacity.
  size_t num_dead_end_signalised_lanes = 0;
  /// Traffic-light junctions whose program also controls other junctions
  /// (a joined TLS).
  size_t num_joined_signals = 0;
  /// Traffic-light junctions no connection of which names a tlLogic:
  /// SUMO runs them as priority junctions, and so does the twin.
  size_t num_uncontrolled_traffic_lights = 0;
  /// `file:line: message` for everything accepted with a doubt: unknown
  /// elements, links naming a missing program, clamped phase counts.
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
  /// Every program in load order (net, then additional files).
  std::vector<sumo_tl_logic> tl_logics;
  /// The active program by tl id, an index into `tl_logics`: as in SUMO,
  /// the one loaded last.
  std::unordered_map<std::string, size_t> active_program;
  /// By intersection number: the tl id the connections entering a
  /// traffic_light* junction name; empty otherwise.
  std::vector<std::string> junction_tl;
  std::vector<sumo_connection> connections;
  std::vector<sumo_segment_details> segment_details;
  /// Mean `via_length_m` over the lane connections from one segment to
  /// another, keyed `from << 32 | to`.
  std::unordered_map<uint64_t, double> turn_length_m;
  geo_point center; ///< of convBoundary
  sumo_network_options options; ///< as imported; used again by merges
  sumo_import_report report;

  /// The length SUMO's micro model drives along a route from the start of
  /// its first segment to the end of its last: the segments' lengths plus,
  /// between each consecutive pair, the mean way across the junction
  /// (`turn_length_m`). nullopt if a segment is unknown or two
  /// consecutive segments are not connected.
  std::optional<double>
  route_length_m(const std::vector<uint32_t>& segments) const;
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
