// twin/geo.hpp
#pragma once

#include <caf/meta/type_name.hpp>

namespace citytwin::twin {

/// A WGS84 position in degrees, longitude first as in GeoJSON.
struct geo_point {
  double lon = 0;
  double lat = 0;

  friend bool operator==(const geo_point&, const geo_point&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, geo_point& x) {
  return f(caf::meta::type_name("geo_point"), x.lon, x.lat);
}

/// Great-circle distance in metres (haversine, mean Earth radius).
double distance_m(geo_point a, geo_point b);

/// The point `east_m` metres east and `north_m` metres north of `origin`,
/// on a local flat approximation (exact enough within a city).
geo_point offset(geo_point origin, double east_m, double north_m);

/// The point at fraction `t` (0..1) of the straight line from `a` to `b`.
geo_point interpolate(geo_point a, geo_point b, double t);

/// True if the position is a valid WGS84 coordinate.
bool valid(geo_point p);

} // namespace citytwin::twin
