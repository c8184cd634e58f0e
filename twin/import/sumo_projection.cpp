// twin/import/sumo_projection.cpp
#include "twin/import/sumo_projection.hpp"

#include "twin/error.hpp"
#include "twin/text.hpp"

#include <array>
#include <cmath>
#include <numbers>

namespace citytwin::twin::import {

namespace {

// WGS84 ellipsoid and the UTM constants (NGA.SIG.0012).
constexpr double wgs84_a = 6378137.0;
constexpr double wgs84_f = 1 / 298.257223563;
constexpr double utm_k0 = 0.9996;
constexpr double utm_false_easting = 500000.0;
constexpr double utm_false_northing_south = 10000000.0;
constexpr double deg = std::numbers::pi / 180.0;

// Parses "+key=value" tokens; true if `key` appears and `value` is set.
bool proj_token(std::string_view proj, std::string_view key,
                std::string_view& value) {
  for (auto token : split_ws(proj)) {
    if (token.size() < key.size() + 1 || token[0] != '+')
      continue;
    auto body = token.substr(1);
    if (body.substr(0, key.size()) != key)
      continue;
    auto rest = body.substr(key.size());
    if (rest.empty() || rest[0] == '=') {
      value = rest.empty() ? rest : rest.substr(1);
      return true;
    }
  }
  return false;
}

caf::error unsupported(std::string_view proj, std::string_view why) {
  return caf::make_error(errc::invalid_config,
                         "unsupported SUMO projection '" + std::string{proj}
                           + "': " + std::string{why});
}

} // namespace

geo_point utm_to_geo(double easting, double northing, int zone, bool south) {
  const double n = wgs84_f / (2 - wgs84_f);
  const double n2 = n * n;
  const double n3 = n2 * n;
  const double a_rect = wgs84_a / (1 + n) * (1 + n2 / 4 + n2 * n2 / 64);
  const std::array<double, 3> beta{n / 2 - 2 * n2 / 3 + 37 * n3 / 96,
                                   n2 / 48 + n3 / 15, 17 * n3 / 480};
  const std::array<double, 3> delta{2 * n - 2 * n2 / 3 - 2 * n3,
                                    7 * n2 / 3 - 8 * n3 / 5, 56 * n3 / 15};
  double north = northing - (south ? utm_false_northing_south : 0.0);
  double xi = north / (utm_k0 * a_rect);
  double eta = (easting - utm_false_easting) / (utm_k0 * a_rect);
  double xi_p = xi;
  double eta_p = eta;
  for (int j = 1; j <= 3; ++j) {
    xi_p -= beta[j - 1] * std::sin(2 * j * xi) * std::cosh(2 * j * eta);
    eta_p -= beta[j - 1] * std::cos(2 * j * xi) * std::sinh(2 * j * eta);
  }
  double chi = std::asin(std::sin(xi_p) / std::cosh(eta_p));
  double phi = chi;
  for (int j = 1; j <= 3; ++j)
    phi += delta[j - 1] * std::sin(2 * j * chi);
  double lambda0 = (zone * 6 - 183) * deg;
  double lambda = lambda0 + std::atan2(std::sinh(eta_p), std::cos(xi_p));
  return {lambda / deg, phi / deg};
}

caf::expected<sumo_projection>
sumo_projection::make(const sumo_location& location,
                      std::optional<geo_point> anchor) {
  sumo_projection result;
  result.offset_x_ = location.offset_x;
  result.offset_y_ = location.offset_y;
  std::string_view proj = trim(location.proj_parameter);
  if (proj == "!") {
    if (!anchor)
      return caf::make_error(
        errc::invalid_config,
        "the SUMO net has no geographic reference (projParameter=\"!\"): "
        "give the lon/lat of its original origin as the import anchor");
    if (!valid(*anchor))
      return caf::make_error(errc::invalid_config,
                             "the import anchor is not a valid lon/lat");
    result.anchor_ = *anchor;
    result.description_ = "local plane (projParameter \"!\") anchored at "
                          + fixed7(anchor->lon) + "," + fixed7(anchor->lat);
    return result;
  }
  std::string_view value;
  if (!proj_token(proj, "proj", value) || value != "utm")
    return unsupported(proj, "only +proj=utm and \"!\" are implemented");
  if (!proj_token(proj, "zone", value)
      || !parse_number(value, result.utm_zone_) || result.utm_zone_ < 1
      || result.utm_zone_ > 60)
    return unsupported(proj, "missing or invalid +zone (1..60)");
  // PROJ's default ellipsoid is GRS80, which differs from WGS84 by 0.1 mm
  // in the semi-minor axis: both are accepted, anything else is not.
  if (proj_token(proj, "ellps", value) && value != "WGS84" && value != "GRS80")
    return unsupported(proj, "ellipsoid must be WGS84 or GRS80");
  if (proj_token(proj, "datum", value) && value != "WGS84")
    return unsupported(proj, "datum must be WGS84");
  if (proj_token(proj, "units", value) && value != "m")
    return unsupported(proj, "units must be metres");
  result.south_ = proj_token(proj, "south", value);
  result.description_ = "UTM zone " + std::to_string(result.utm_zone_)
                        + (result.south_ ? "S" : "N") + " (WGS84)";
  return result;
}

geo_point sumo_projection::to_geo(double x, double y) const {
  double orig_x = x - offset_x_;
  double orig_y = y - offset_y_;
  if (utm_zone_ == 0)
    return offset(anchor_, orig_x, orig_y);
  return utm_to_geo(orig_x, orig_y, utm_zone_, south_);
}

} // namespace citytwin::twin::import
