// twin/import/sumo_projection.hpp
#pragma once

#include "twin/geo.hpp"

#include <caf/expected.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace citytwin::twin::import {

/// The attributes of a SUMO `<location>` element that georeference a net.
struct sumo_location {
  double offset_x = 0; ///< netOffset: net x = original x + offset_x
  double offset_y = 0;
  std::string conv_boundary; ///< kept verbatim for the import report
  std::string orig_boundary;
  std::string proj_parameter = "!"; ///< a PROJ string, or "!" for none
};

/// Turns SUMO's net coordinates (metres) into WGS84 longitude/latitude.
///
/// Two cases are supported, the same two SUMO's own sumolib handles
/// without a projection library:
/// - `+proj=utm +zone=N [+south]` on WGS84 (what netconvert writes for OSM
///   imports): the exact UTM inverse (Krüger series to n^3, sub-millimetre
///   within a zone), applied to (x - offset_x, y - offset_y) as sumolib's
///   `convertXY2LonLat` does.
/// - `"!"` (no projection; the Bologna nets): the original coordinates are
///   metres on a local plane. They have no geographic position, so the
///   caller must say where the original origin (0, 0) lies: `anchor`. The
///   plane is then laid east/north of the anchor with `twin::offset`.
/// Any other PROJ string is rejected, never approximated.
class sumo_projection {
public:
  /// Builds the conversion; errc::invalid_config if the projection is not
  /// supported, or if it is "!" and no anchor is given.
  static caf::expected<sumo_projection>
  make(const sumo_location& location, std::optional<geo_point> anchor);

  /// Converts a net position (as written in `x`, `y` and `shape`).
  geo_point to_geo(double x, double y) const;

  /// One line for the import report, e.g. "UTM zone 33N (WGS84)".
  const std::string& description() const {
    return description_;
  }

private:
  sumo_projection() = default;

  double offset_x_ = 0;
  double offset_y_ = 0;
  int utm_zone_ = 0; // 0 = local plane at anchor_
  bool south_ = false;
  geo_point anchor_;
  std::string description_;
};

/// Inverse UTM on WGS84: easting/northing in metres to lon/lat degrees.
geo_point utm_to_geo(double easting, double northing, int zone, bool south);

} // namespace citytwin::twin::import
