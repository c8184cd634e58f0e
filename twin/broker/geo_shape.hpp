// twin/broker/geo_shape.hpp
#pragma once

#include "twin/geo.hpp"

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace citytwin::broker {

/// The GeoJSON geometry types NGSI-LD geo-queries use.
enum class geometry_type : uint8_t {
  point,
  multi_point,
  line_string,
  multi_line_string,
  polygon,
  multi_polygon,
};

/// The GeoJSON name, e.g. `MultiPolygon`.
const char* to_string(geometry_type type);

/// A sequence of positions: a line, or a closed polygon ring.
using geo_path = std::vector<twin::geo_point>;

/// An outer ring followed by its holes.
using geo_polygon = std::vector<geo_path>;

/// A validated GeoJSON geometry, flattened by dimension: exactly one of the
/// three vectors is filled (Point and LineString and Polygon hold one
/// element, their Multi- forms one or more). Altitudes are dropped.
struct geo_shape {
  geometry_type type = geometry_type::point;
  std::vector<twin::geo_point> points;
  std::vector<geo_path> lines;
  std::vector<geo_polygon> polygons;
};

/// A longitude/latitude box in degrees, edges included.
struct geo_box {
  double min_lon = 0;
  double min_lat = 0;
  double max_lon = 0;
  double max_lat = 0;
};

/// The smallest box holding every position of `shape`, in plain
/// longitude/latitude as RFC 7946 section 3.1.9 reads coordinates (a shape
/// across the antimeridian must be split to go the short way round). An
/// empty shape gives the box {0, 0, 0, 0}.
geo_box bounds(const geo_shape& shape);

/// Parses a GeoJSON type name (case-sensitive, as in GeoJSON).
caf::expected<geometry_type> parse_geometry_type(std::string_view name);

/// Validates GeoJSON `coordinates` for `type`: the right nesting,
/// positions of 2 or 3 finite numbers with longitude in [-180,180] and
/// latitude in [-90,90], lines of at least 2 positions, polygon rings
/// closed and of at least 4 positions, Multi- forms not empty; then the
/// geometry must be valid as OGC simple features (`boost::geometry::
/// is_valid`): no self-intersecting polygon, holes inside their ring,
/// parts of a MultiPolygon not overlapping, lines of non-zero length.
/// Rings may run either way round. Errors are `malformed_payload` with
/// the context `coordinates: <what>`, naming the problem.
caf::expected<geo_shape> parse_geo_shape(geometry_type type,
                                         const nlohmann::json& coordinates);

/// Reads a GeoJSON geometry object `{"type":..,"coordinates":..}`.
caf::expected<geo_shape> parse_geo_shape(const nlohmann::json& geometry);

} // namespace citytwin::broker
