// twin/import/tntp_network.hpp
#pragma once

#include "twin/city_graph.hpp"
#include "twin/geo.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::twin::import {

/// A TNTP node with its `_node` file position (units vary per network).
struct tntp_node {
  uint32_t id = 0;
  double x = 0;
  double y = 0;
};

/// A TNTP link, in the network's own units. The twin does not read TNTP
/// files itself: scenarios/assignment does, and hands plain rows here, so
/// twin never depends on scenarios.
struct tntp_link {
  uint32_t from = 0;
  uint32_t to = 0;
  double capacity_veh_h = 0;
  double length = 0;
  double free_flow_time = 0;
  int lanes = 0; ///< 0 = not given (most networks)
};

/// How node positions are written in a `_node` file.
enum class tntp_coordinates : uint8_t {
  lon_lat, ///< x = longitude, y = latitude (SiouxFalls)
  planar,  ///< a local plane in `metres_per_unit` (Chicago: feet)
};

/// Units and placement of a TNTP network.
struct tntp_network_options {
  tntp_coordinates coordinates = tntp_coordinates::lon_lat;
  /// Planar only: where the south-west corner of the nodes' bounding box
  /// lies. TNTP planar coordinates carry no geographic reference.
  geo_point anchor;
  double metres_per_unit = 1;           ///< planar coordinate unit
  double metres_per_length_unit = 1609.344; ///< link length (default miles)
  double seconds_per_time_unit = 60;    ///< free-flow time (default min)
};

/// What the conversion had to adjust to fit the twin's limits.
struct tntp_import_report {
  size_t num_nodes = 0;
  size_t num_links = 0;
  /// Links whose length and free-flow time imply more than 300 km/h (or
  /// zero time, as on connectors): speed capped, so their free-flow time
  /// in the twin is length / 300 km/h, longer than in the TNTP file.
  size_t num_speed_capped = 0;
  /// Links of zero length (connectors): given 1 m.
  size_t num_length_floored = 0;
};

/// A TNTP network as a twin road graph: intersection number = TNTP node
/// id, segment number = link position (0-based, net-file order, as the
/// assignment module numbers links). Segment speed is length / free-flow
/// time, so `segment_info::free_flow_s` equals the TNTP free-flow time.
struct tntp_import {
  city_graph roads;
  tntp_import_report report;
};

/// Converts; errc::invalid_city listing every problem (duplicate nodes,
/// links naming missing nodes, non-positive capacity, negative length or
/// time, positions outside WGS84).
caf::expected<tntp_import> convert_tntp(const std::vector<tntp_node>& nodes,
                                        const std::vector<tntp_link>& links,
                                        const tntp_network_options& opts);

} // namespace citytwin::twin::import
