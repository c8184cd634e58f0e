// twin/solar.cpp
#include "twin/solar.hpp"

#include <cmath>
#include <numbers>

namespace citytwin::twin {

double sun_elevation_deg(geo_point where, time_ms when) {
  constexpr double rad = std::numbers::pi / 180;
  constexpr double ms_per_day = 86'400'000.0;
  constexpr double j2000_unix_days = 10957.5; // 2000-01-01 12:00 UTC
  double days = double(when) / ms_per_day - j2000_unix_days;
  double centuries = days / 36525;
  // Geometric mean longitude and anomaly of the sun (degrees).
  double mean_long = std::fmod(280.46646 + centuries * 36000.76983, 360);
  double anomaly = 357.52911 + centuries * 35999.05029;
  double center = std::sin(anomaly * rad) * (1.914602 - 0.004817 * centuries)
                  + std::sin(2 * anomaly * rad) * 0.019993
                  + std::sin(3 * anomaly * rad) * 0.000289;
  double true_long = mean_long + center;
  double obliquity = 23.439291 - 0.0130042 * centuries;
  double declination
      = std::asin(std::sin(obliquity * rad) * std::sin(true_long * rad));
  double right_asc
      = std::atan2(std::cos(obliquity * rad) * std::sin(true_long * rad),
                   std::cos(true_long * rad));
  // Greenwich mean sidereal time, then the local hour angle.
  double gmst = std::fmod(280.46061837 + 360.98564736629 * days, 360);
  double hour_angle = gmst * rad + where.lon * rad - right_asc;
  double lat = where.lat * rad;
  double sin_elev
      = std::sin(lat) * std::sin(declination)
        + std::cos(lat) * std::cos(declination) * std::cos(hour_angle);
  return std::asin(sin_elev) / rad;
}

} // namespace citytwin::twin
