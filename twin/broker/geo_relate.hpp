// twin/broker/geo_relate.hpp
#pragma once

#include "twin/broker/geo_shape.hpp"

#include <string>

/// Spatial predicates between two geometries, for `geo_query`, on
/// Boost.Geometry with the OGC Simple Features (ISO 19125) semantics of
/// the DE-9IM.
///
/// The topological predicates read positions as plain cartesian
/// longitude/latitude, as RFC 7946 section 3.1.1 does (a line between two
/// positions is straight in those coordinates; a shape across the
/// antimeridian must be split, section 3.1.9). Any local metric projection
/// (equirectangular, say) maps lon/lat affinely and so gives the same
/// answers; working in degrees avoids its rounding, so a position that is
/// exactly on a line in the document is on it here too. The predicates are
/// exact: a point 1 cm off a line does not intersect it. Use
/// `near;maxDistance==N` for a tolerance (the old 1 m tolerance is gone).
///
/// Only `distance_m` needs metres, for `near`: great-circle to points,
/// a local equirectangular projection around the query point to lines
/// and polygons (exact to well under 1% within a city).
///
/// A geometry of a higher dimension never lies within one of a lower
/// dimension (Boost 1.74 does not even compile those pairs); `overlaps` and
/// `equals` need the same dimension. Points and MultiPoints, LineStrings
/// and MultiLineStrings, Polygons and MultiPolygons are compared as the
/// point sets they are: a Point equals a MultiPoint of that one point.
namespace citytwin::broker::detail {

/// Distance in metres from `p` to the nearest point of `shape`, 0 if the
/// shape covers `p`. Great-circle (haversine) to points; to lines and
/// polygons on an equirectangular projection around `p`, with the shape
/// moved by 360 degrees of longitude when that brings it nearer (across
/// the antimeridian). NaN, which compares false with any distance, if `p`
/// or `shape` is not well formed (see `parse_geo_shape`).
double distance_m(twin::geo_point p, const geo_shape& shape);

/// The predicates below are false when either shape is not well formed
/// (non-finite or too few positions, empty parts), which only a shape
/// built in code can be.

/// True if the geometries share at least one point (OGC intersects).
bool intersects(const geo_shape& a, const geo_shape& b);

/// True if the geometries share no point (OGC disjoint).
bool disjoint(const geo_shape& a, const geo_shape& b);

/// True if no point of `a` lies outside `b` and their interiors meet (OGC
/// within): a point on the boundary of a polygon is not within it.
bool within(const geo_shape& a, const geo_shape& b);

/// True if both have the same dimension, their interiors meet and each
/// has points outside the other (OGC overlaps; for lines the shared part
/// must be a line).
bool overlaps(const geo_shape& a, const geo_shape& b);

/// True if they are the same point set (OGC equals): a reversed
/// LineString, a ring starting at another vertex or a MultiPoint of one
/// point equal the original.
bool equals(const geo_shape& a, const geo_shape& b);

/// Why `shape` is not a valid OGC geometry (a self-intersecting polygon,
/// holes outside their ring, overlapping parts of a MultiPolygon, a
/// LineString of zero length, ...), or an empty string if it is valid.
/// Ring orientation does not matter (RFC 7946 section 3.1.6: parsers
/// should not reject clockwise rings).
std::string invalidity(const geo_shape& shape);

} // namespace citytwin::broker::detail
