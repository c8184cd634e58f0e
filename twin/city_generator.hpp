// twin/city_generator.hpp
#pragma once

#include "twin/city.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <string>

namespace citytwin::twin {

/// Parameters of a generated town. Counts left at 0 follow `segments` in
/// the proportions of the demo town (2.5 lamps, 0.25 bins and 0.15 sensors
/// per segment).
struct generator_options {
  std::string name = "demo";
  geo_point center = {10.2039, 56.1629}; ///< Aarhus, whose streams we replay
  int utc_offset_min = 60;
  uint64_t seed = 1;
  size_t segments = 2000; ///< directed road segments (about)
  size_t lamps = 0;
  size_t bins = 0;
  size_t sensors = 0;

  /// errc::invalid_city naming the first bad parameter.
  caf::error validate() const;
};

/// Generates a plausible town: a jittered street grid with arterials every
/// few blocks (faster, more lanes, signalised crossings), two-way streets
/// as pairs of directed segments, lamps spaced evenly along the streets,
/// bins and a mix of sensors at random kerbside spots. The result is a pure
/// function of the options: the same seed gives the same city everywhere.
caf::expected<city> generate_city(const generator_options& options);

} // namespace citytwin::twin
