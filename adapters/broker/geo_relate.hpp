// adapters/broker/geo_relate.hpp
#pragma once

#include "adapters/broker/geo_shape.hpp"

/// Spatial predicates between two geometries, for `geo_query`. They work
/// on a flat local projection (equirectangular around a reference vertex),
/// exact enough within a city; a point closer than `geo_tolerance_m` to
/// another geometry counts as touching it.
namespace citytwin::broker::detail {

/// How close two geometries must come to share a point, in metres: GPS
/// positions and coordinates rounded to 5 decimals (~1 m) still touch.
constexpr double geo_tolerance_m = 1.0;

/// Distance in metres from `p` to the nearest point of `shape`: haversine
/// to points, the flat approximation to lines and polygon rings, 0 inside
/// a polygon (outside its holes).
double distance_m(twin::geo_point p, const geo_shape& shape);

/// True if the geometries share at least one point.
bool intersects(const geo_shape& a, const geo_shape& b);

/// True if `a` lies inside `b` (boundaries included): every vertex of `a`
/// is covered by `b`, no edge of `a` crosses a ring of `b`, and no vertex
/// of `b`'s rings lies strictly inside a polygon of `a` (a hole of `b`).
bool within(const geo_shape& a, const geo_shape& b);

/// True if both have the same type and the same coordinates, in order.
bool equals(const geo_shape& a, const geo_shape& b);

} // namespace citytwin::broker::detail
