// twin/broker/geo_query.hpp
#pragma once

#include "twin/broker/geo_shape.hpp"

#include <caf/expected.hpp>
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin::broker {

/// The `georel` of an NGSI-LD geo-query (ETSI GS CIM 009 clause 4.10),
/// with the OGC Simple Features meaning of each predicate, the entity's
/// geometry as the first argument (see geo_relate.hpp).
enum class geo_relation : uint8_t {
  near_max,   ///< `near;maxDistance==N`: at most N metres away
  near_min,   ///< `near;minDistance==N`: at least N metres away
  within,     ///< the entity lies inside the query geometry, not only on
              ///< its boundary
  contains,   ///< the entity contains the query geometry (within, reversed)
  intersects, ///< they share at least one point
  overlaps,   ///< same dimension, they share interior points, and each has
              ///< points outside the other
  equals,     ///< the same point set, whatever the order of positions
  disjoint,   ///< they share no point
};

/// The georel text without distance, e.g. `near` or `within`.
const char* to_string(geo_relation relation);

/// A validated geo-query.
struct geo_query {
  geo_relation relation = geo_relation::intersects;
  /// For `near_max` and `near_min`, in metres (>= 0).
  double distance_m = 0;
  /// The query geometry; a Point for the `near` relations.
  geo_shape geometry;
  /// The entity attribute holding the entity's geometry.
  std::string geoproperty = "location";

  /// True if the entity's geoproperty (any of its instances) stands in the
  /// relation to the query geometry. An entity without the geoproperty, or
  /// whose value is not a valid GeoJSON geometry of the six supported
  /// types, never matches, not even `disjoint`.
  bool matches(const nlohmann::json& entity) const;

  /// True if `entity_geometry` stands in the relation to the query
  /// geometry: the predicate of `matches` on a geometry parsed beforehand
  /// (a store parses each entity's geometry once, when it is written). A
  /// shape that `parse_geo_shape` would refuse as malformed (non-finite
  /// or too few positions, empty parts) never matches.
  bool matches_shape(const geo_shape& entity_geometry) const;

  /// A box that the `bounds` of every matching entity geometry intersects,
  /// for an index to pre-filter with: the query geometry's bounds, or for
  /// `near_max` the query point widened by `distance_m` (converted to
  /// degrees at the latitude farthest from the equator, so conservative;
  /// every longitude when it reaches a pole or the antimeridian). Nullopt
  /// when no box can exclude anything: `near_min`, `disjoint`, or a query
  /// without geometry.
  std::optional<geo_box> candidate_box() const;
};

/// From the query parameters `georel`, `geometry`, `coordinates` (JSON
/// text, GeoJSON order lon,lat) and `geoproperty` (empty means
/// `location`). Errors are `malformed_payload` with the context
/// `<parameter>: <what>`.
caf::expected<geo_query> parse_geo_query(std::string_view georel,
                                         std::string_view geometry,
                                         std::string_view coordinates,
                                         std::string_view geoproperty);

/// From a subscription's geoQ member `{"geometry":..,"coordinates":[..] or
/// "[..]","georel":..,"geoproperty":..}`.
caf::expected<geo_query> parse_geo_query(const nlohmann::json& geo_q);

} // namespace citytwin::broker
