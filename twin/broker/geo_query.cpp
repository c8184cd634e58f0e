// twin/broker/geo_query.cpp
#include "twin/broker/geo_query.hpp"

#include "twin/broker/geo_relate.hpp"
#include "twin/error.hpp"
#include "twin/json_reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <numbers>
#include <optional>
#include <utility>

namespace citytwin::broker {

namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<std::string_view, geo_relation>, 8> names{{
    {"near", geo_relation::near_max},
    {"near", geo_relation::near_min},
    {"within", geo_relation::within},
    {"contains", geo_relation::contains},
    {"intersects", geo_relation::intersects},
    {"overlaps", geo_relation::overlaps},
    {"equals", geo_relation::equals},
    {"disjoint", geo_relation::disjoint},
}};

/// Metres per degree of latitude on the mean Earth sphere (as twin/geo.cpp).
constexpr double metres_per_degree = 6371008.8 * std::numbers::pi / 180;
constexpr double degree = std::numbers::pi / 180;

constexpr std::string_view max_prefix = "maxDistance==";
constexpr std::string_view min_prefix = "minDistance==";
constexpr std::string_view default_geoproperty = "location";

caf::error invalid(const char* parameter, const std::string& what) {
  return caf::make_error(twin::errc::malformed_payload,
                         std::string{parameter} + ": " + what);
}

/// `near;maxDistance==N`, `near;minDistance==N` or a bare relation name.
caf::error parse_georel(std::string_view text, geo_query& out) {
  if (text.empty())
    return invalid("georel", "missing");
  auto semicolon = text.find(';');
  auto name = text.substr(0, semicolon);
  if (name != "near") {
    for (auto [x, relation] : names) {
      if (x != name)
        continue;
      if (semicolon != std::string_view::npos)
        return invalid("georel",
                       "'" + std::string{name} + "' takes no modifiers");
      out.relation = relation;
      return {};
    }
    return invalid("georel", "unknown relation '" + std::string{name}
                                 + "' (expected near, within, contains, "
                                   "intersects, overlaps, equals or disjoint)");
  }
  auto rest = semicolon == std::string_view::npos ? std::string_view{}
                                                  : text.substr(semicolon + 1);
  if (rest.empty())
    return invalid("georel", "near needs maxDistance==N or minDistance==N");
  if (rest.find(';') != std::string_view::npos)
    return invalid("georel", "near takes exactly one of maxDistance==N and "
                             "minDistance==N");
  if (rest.starts_with(max_prefix))
    out.relation = geo_relation::near_max;
  else if (rest.starts_with(min_prefix))
    out.relation = geo_relation::near_min;
  else
    return invalid("georel", "expected maxDistance==N or minDistance==N "
                             "after 'near;', got '"
                                 + std::string{rest} + "'");
  auto number = rest.substr(max_prefix.size());
  auto end = number.data() + number.size();
  auto [ptr, ec] = std::from_chars(number.data(), end, out.distance_m);
  if (number.empty() || ec != std::errc{} || ptr != end
      || !std::isfinite(out.distance_m) || out.distance_m < 0)
    return invalid("georel", "distance must be a number of metres >= 0, got '"
                                 + std::string{number} + "'");
  return {};
}

/// The checks common to both entry points, once georel is known.
caf::expected<geo_query> finish(geo_query result, std::string_view geometry,
                                const json& coordinates,
                                std::string_view geoproperty) {
  auto type = parse_geometry_type(geometry);
  if (!type)
    return std::move(type.error());
  auto shape = parse_geo_shape(*type, coordinates);
  if (!shape)
    return std::move(shape.error());
  bool near = result.relation == geo_relation::near_max
              || result.relation == geo_relation::near_min;
  if (near && *type != geometry_type::point)
    return invalid("georel", std::string{"near needs a Point geometry, got "}
                                 + to_string(*type));
  result.geometry = std::move(*shape);
  result.geoproperty
      = std::string{geoproperty.empty() ? default_geoproperty : geoproperty};
  return result;
}

caf::expected<json> parse_coordinates(std::string_view text) {
  if (text.empty())
    return invalid("coordinates", "missing");
  // Coordinates nest at most four levels (MultiPolygon); a little slack
  // keeps the message about geometry rather than about JSON.
  auto read = twin::read_json(text, twin::json_limits{8, 100'000});
  if (!read)
    return invalid("coordinates", read.refusal == twin::json_refusal::syntax
                                      ? std::string{"not valid JSON"}
                                      : "not valid JSON: " + read.detail);
  return std::move(read.value);
}

/// The geometry of one attribute instance: its GeoJSON `value`, or the
/// instance itself when it is bare GeoJSON (keyValues form).
std::optional<geo_shape> instance_shape(const json& instance) {
  auto value = instance.find("value");
  const json& geometry = value != instance.end() ? *value : instance;
  auto result = parse_geo_shape(geometry);
  if (!result)
    return std::nullopt;
  return std::move(*result);
}

/// True if the query has a geometry to relate to, a Point for `near` (a
/// default-constructed query has none; parse_geo_query makes sure).
bool usable(const geo_query& q) {
  bool near = q.relation == geo_relation::near_max
              || q.relation == geo_relation::near_min;
  const auto& g = q.geometry;
  if (near)
    return !g.points.empty();
  return !g.points.empty() || !g.lines.empty() || !g.polygons.empty();
}

/// Every position within `radius_m` of `centre`, great-circle or on the
/// local flat approximation, lies in the box: the shortest path to such a
/// position stays within `radius_m` of the centre, so its latitude never
/// leaves [lat - r, lat + r], where a degree of longitude is shortest at
/// the end farther from the equator.
geo_box near_box(twin::geo_point centre, double radius_m) {
  // Slack against rounding in the distance computations: relative
  // (1e-6 mm per km) and absolute (1e-9 degrees, ~0.1 mm).
  constexpr double slack = 1 + 1e-9;
  constexpr double slack_deg = 1e-9;
  constexpr double whole_lon = 180;
  double dlat = radius_m / metres_per_degree * slack + slack_deg;
  geo_box result{-whole_lon, centre.lat - dlat, whole_lon, centre.lat + dlat};
  if (result.min_lat <= -90 || result.max_lat >= 90) {
    result.min_lat = std::max(result.min_lat, -90.0);
    result.max_lat = std::min(result.max_lat, 90.0);
    return result;
  }
  double farthest
      = std::max(std::abs(result.min_lat), std::abs(result.max_lat));
  double dlon
      = radius_m / (metres_per_degree * std::cos(farthest * degree)) * slack
        + slack_deg;
  // A box across the antimeridian would need two parts; take all
  // longitudes instead (conservative, and rare for a city).
  if (centre.lon - dlon <= -whole_lon || centre.lon + dlon >= whole_lon)
    return result;
  result.min_lon = centre.lon - dlon;
  result.max_lon = centre.lon + dlon;
  return result;
}

} // namespace

const char* to_string(geo_relation relation) {
  for (auto [name, x] : names)
    if (x == relation)
      return name.data();
  return "unknown";
}

bool geo_query::matches(const nlohmann::json& entity) const {
  if (!entity.is_object())
    return false;
  auto attribute = entity.find(geoproperty);
  if (attribute == entity.end())
    return false;
  // Several instances (datasetIds): the entity matches if any does.
  auto test = [&](const json& instance) {
    auto shape = instance.is_object() ? instance_shape(instance) : std::nullopt;
    return shape && matches_shape(*shape);
  };
  if (!attribute->is_array())
    return test(*attribute);
  return std::any_of(attribute->begin(), attribute->end(), test);
}

bool geo_query::matches_shape(const geo_shape& e) const {
  if (!usable(*this))
    return false;
  const auto& q = geometry;
  switch (relation) {
    case geo_relation::near_max:
      return detail::distance_m(q.points.front(), e) <= distance_m;
    case geo_relation::near_min:
      return detail::distance_m(q.points.front(), e) >= distance_m;
    // NGSI-LD puts the entity first: "the entity lies within the query
    // geometry", "the entity contains it".
    case geo_relation::within:
      return detail::within(e, q);
    case geo_relation::contains:
      return detail::within(q, e);
    case geo_relation::intersects:
      return detail::intersects(e, q);
    case geo_relation::overlaps:
      return detail::overlaps(e, q);
    case geo_relation::equals:
      return detail::equals(e, q);
    case geo_relation::disjoint:
      return detail::disjoint(e, q);
  }
  return false;
}

std::optional<geo_box> geo_query::candidate_box() const {
  if (!usable(*this))
    return std::nullopt;
  switch (relation) {
    case geo_relation::near_min:
    case geo_relation::disjoint:
      return std::nullopt;
    case geo_relation::near_max:
      return near_box(geometry.points.front(), distance_m);
    default:
      return bounds(geometry);
  }
}

caf::expected<geo_query> parse_geo_query(std::string_view georel,
                                         std::string_view geometry,
                                         std::string_view coordinates,
                                         std::string_view geoproperty) {
  geo_query result;
  if (auto err = parse_georel(georel, result))
    return err;
  // Name the geometry error before the coordinates one: it explains it.
  if (auto type = parse_geometry_type(geometry); !type)
    return std::move(type.error());
  auto doc = parse_coordinates(coordinates);
  if (!doc)
    return std::move(doc.error());
  return finish(std::move(result), geometry, *doc, geoproperty);
}

caf::expected<geo_query> parse_geo_query(const nlohmann::json& geo_q) {
  if (!geo_q.is_object())
    return invalid("geoQ", "not a JSON object");
  auto text = [&](const char* key) -> caf::expected<std::string_view> {
    auto i = geo_q.find(key);
    if (i == geo_q.end() || i->is_null())
      return std::string_view{};
    if (!i->is_string())
      return invalid("geoQ", std::string{key} + " must be a string");
    return std::string_view{i->get_ref<const std::string&>()};
  };
  auto georel = text("georel");
  auto geometry = text("geometry");
  auto geoproperty = text("geoproperty");
  for (auto* x : {&georel, &geometry, &geoproperty})
    if (!*x)
      return std::move(x->error());
  geo_query result;
  if (auto err = parse_georel(*georel, result))
    return err;
  if (auto type = parse_geometry_type(*geometry); !type)
    return std::move(type.error());
  auto coordinates = geo_q.find("coordinates");
  if (coordinates == geo_q.end() || coordinates->is_null())
    return invalid("coordinates", "missing");
  if (coordinates->is_string()) {
    auto doc = parse_coordinates(coordinates->get_ref<const std::string&>());
    if (!doc)
      return std::move(doc.error());
    return finish(std::move(result), *geometry, *doc, *geoproperty);
  }
  return finish(std::move(result), *geometry, *coordinates, *geoproperty);
}

} // namespace citytwin::broker
