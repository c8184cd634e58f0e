// twin/geo.cpp
#include "twin/geo.hpp"

#include <cmath>
#include <numbers>

namespace citytwin::twin {

namespace {

constexpr double earth_radius_m = 6371008.8; // IUGG mean radius
constexpr double deg = std::numbers::pi / 180.0;

} // namespace

double distance_m(geo_point a, geo_point b) {
  double dlat = (b.lat - a.lat) * deg;
  double dlon = (b.lon - a.lon) * deg;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2)
             + std::cos(a.lat * deg) * std::cos(b.lat * deg)
                   * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * earth_radius_m * std::asin(std::min(1.0, std::sqrt(h)));
}

geo_point offset(geo_point origin, double east_m, double north_m) {
  double lat = origin.lat + north_m / (earth_radius_m * deg);
  double lon = origin.lon
               + east_m / (earth_radius_m * deg * std::cos(origin.lat * deg));
  return {lon, lat};
}

geo_point interpolate(geo_point a, geo_point b, double t) {
  return {a.lon + (b.lon - a.lon) * t, a.lat + (b.lat - a.lat) * t};
}

bool valid(geo_point p) {
  return std::isfinite(p.lon) && std::isfinite(p.lat) && p.lon >= -180
         && p.lon <= 180 && p.lat >= -90 && p.lat <= 90;
}

} // namespace citytwin::twin
