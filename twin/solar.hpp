// twin/solar.hpp
#pragma once

#include "twin/geo.hpp"
#include "twin/reading.hpp"

namespace citytwin::twin {

/// Elevation of the sun's centre above the horizon in degrees at a place
/// and time (NOAA's low-precision formulas, accurate to ~0.1 degree between
/// 1950 and 2050): below -0.833 the sun has set, below -6 civil dusk is over.
double sun_elevation_deg(geo_point where, time_ms when);

} // namespace citytwin::twin
