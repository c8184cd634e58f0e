// twin/broker/geo_shape.cpp
#include "twin/broker/geo_shape.hpp"

#include "twin/broker/geo_relate.hpp"
#include "twin/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <utility>

namespace citytwin::broker {

namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<std::string_view, geometry_type>, 6> names{{
    {"Point", geometry_type::point},
    {"MultiPoint", geometry_type::multi_point},
    {"LineString", geometry_type::line_string},
    {"MultiLineString", geometry_type::multi_line_string},
    {"Polygon", geometry_type::polygon},
    {"MultiPolygon", geometry_type::multi_polygon},
}};

/// Smallest valid sizes, from RFC 7946 sections 3.1.4 and 3.1.6.
constexpr size_t min_line_positions = 2;
constexpr size_t min_ring_positions = 4;

/// A JSON value for an error message, cut short: entity documents and
/// query parameters can be large.
std::string brief(const json& x) {
  constexpr size_t max_length = 60;
  auto result = x.dump(-1, ' ', false, json::error_handler_t::replace);
  if (result.size() > max_length)
    result = result.substr(0, max_length) + "...";
  return result;
}

caf::error invalid(const std::string& what) {
  return caf::make_error(twin::errc::malformed_payload, "coordinates: " + what);
}

/// Collects the first problem; later checks become no-ops.
class reader {
public:
  caf::error error;

  std::optional<twin::geo_point> position(const json& x) {
    if (error)
      return std::nullopt;
    if (!x.is_array() || x.size() < 2 || x.size() > 3) {
      error = invalid("a position must be [longitude, latitude], got "
                      + brief(x));
      return std::nullopt;
    }
    for (const auto& number : x) {
      if (!number.is_number()) {
        error = invalid("a position must hold numbers, got " + brief(x));
        return std::nullopt;
      }
    }
    twin::geo_point result{x[0].get<double>(), x[1].get<double>()};
    // JSON text has no NaN or infinity, but a document built in code can
    // (and dumps them as null); the altitude is dropped, yet must be a
    // number too.
    constexpr std::array<const char*, 3> parts{"longitude", "latitude",
                                               "altitude"};
    for (size_t i = 0; i < x.size(); ++i) {
      if (!std::isfinite(x[i].get<double>())) {
        error = invalid(std::string{parts[i]} + " is not a finite number");
        return std::nullopt;
      }
    }
    if (!(result.lon >= -180 && result.lon <= 180))
      error = invalid("longitude " + brief(x[0]) + " outside [-180,180]");
    else if (!(result.lat >= -90 && result.lat <= 90))
      error = invalid("latitude " + brief(x[1]) + " outside [-90,90]");
    if (error)
      return std::nullopt;
    return result;
  }

  /// An array of at least `min_size` positions.
  geo_path path(const json& x, size_t min_size, const char* what) {
    geo_path result;
    if (error)
      return result;
    if (!x.is_array() || x.size() < min_size) {
      error = invalid(std::string{what} + " needs an array of at least "
                      + std::to_string(min_size) + " positions");
      return result;
    }
    for (const auto& element : x) {
      auto p = position(element);
      if (!p)
        return result;
      result.push_back(*p);
    }
    return result;
  }

  geo_polygon polygon(const json& x) {
    geo_polygon result;
    if (!error && (!x.is_array() || x.empty())) {
      error = invalid("a polygon needs an array of at least one ring");
      return result;
    }
    for (const auto& element : x) {
      auto ring = path(element, min_ring_positions, "a polygon ring");
      if (error)
        return result;
      if (!(ring.front() == ring.back())) {
        error = invalid("a polygon ring must end where it starts");
        return result;
      }
      result.push_back(std::move(ring));
    }
    return result;
  }

  /// A non-empty array of parts, each read by `part`.
  template <class F>
  void parts(const json& x, const char* what, F part) {
    if (error)
      return;
    if (!x.is_array() || x.empty()) {
      error = invalid(std::string{what} + " needs a non-empty array");
      return;
    }
    for (const auto& element : x)
      if (!error)
        part(element);
  }
};

} // namespace

const char* to_string(geometry_type type) {
  for (auto [name, x] : names)
    if (x == type)
      return name.data();
  return "unknown";
}

geo_box bounds(const geo_shape& shape) {
  std::optional<geo_box> result;
  auto add = [&](twin::geo_point p) {
    if (!result) {
      result = geo_box{p.lon, p.lat, p.lon, p.lat};
      return;
    }
    result->min_lon = std::min(result->min_lon, p.lon);
    result->min_lat = std::min(result->min_lat, p.lat);
    result->max_lon = std::max(result->max_lon, p.lon);
    result->max_lat = std::max(result->max_lat, p.lat);
  };
  for (auto p : shape.points)
    add(p);
  for (const auto& line : shape.lines)
    for (auto p : line)
      add(p);
  for (const auto& polygon : shape.polygons)
    for (const auto& ring : polygon)
      for (auto p : ring)
        add(p);
  return result.value_or(geo_box{});
}

caf::expected<geometry_type> parse_geometry_type(std::string_view name) {
  for (auto [text, type] : names)
    if (text == name)
      return type;
  if (name.empty())
    return caf::make_error(twin::errc::malformed_payload, "geometry: missing");
  return caf::make_error(twin::errc::malformed_payload,
                         "geometry: unknown type '" + std::string{name}
                             + "' (expected Point, MultiPoint, LineString, "
                               "MultiLineString, Polygon or MultiPolygon)");
}

caf::expected<geo_shape> parse_geo_shape(geometry_type type,
                                         const json& coordinates) {
  reader r;
  geo_shape result;
  result.type = type;
  const json& x = coordinates;
  switch (type) {
    case geometry_type::point:
      if (auto p = r.position(x))
        result.points.push_back(*p);
      break;
    case geometry_type::multi_point:
      r.parts(x, "a MultiPoint", [&](const json& e) {
        if (auto p = r.position(e))
          result.points.push_back(*p);
      });
      break;
    case geometry_type::line_string:
      result.lines.push_back(r.path(x, min_line_positions, "a LineString"));
      break;
    case geometry_type::multi_line_string:
      r.parts(x, "a MultiLineString", [&](const json& e) {
        result.lines.push_back(r.path(e, min_line_positions, "a LineString"));
      });
      break;
    case geometry_type::polygon:
      result.polygons.push_back(r.polygon(x));
      break;
    case geometry_type::multi_polygon:
      r.parts(x, "a MultiPolygon",
              [&](const json& e) { result.polygons.push_back(r.polygon(e)); });
      break;
  }
  if (r.error)
    return std::move(r.error);
  // Well-formed, now valid as OGC simple features: the predicates of
  // geo_relate.hpp assume it.
  if (auto problem = detail::invalidity(result); !problem.empty())
    return invalid(problem);
  return result;
}

caf::expected<geo_shape> parse_geo_shape(const json& geometry) {
  if (!geometry.is_object())
    return caf::make_error(twin::errc::malformed_payload,
                           "geometry: not a GeoJSON object");
  auto type = geometry.find("type");
  auto coordinates = geometry.find("coordinates");
  if (type == geometry.end() || !type->is_string())
    return caf::make_error(twin::errc::malformed_payload,
                           "geometry: missing type");
  if (coordinates == geometry.end())
    return invalid("missing");
  auto kind = parse_geometry_type(type->get_ref<const std::string&>());
  if (!kind)
    return std::move(kind.error());
  return parse_geo_shape(*kind, *coordinates);
}

} // namespace citytwin::broker
