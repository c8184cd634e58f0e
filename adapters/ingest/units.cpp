// adapters/ingest/units.cpp
#include "adapters/ingest/units.hpp"

#include <array>

namespace citytwin::ingest {

namespace {

struct conversion {
  std::string_view from; ///< SenML unit of the payload
  std::string_view to;   ///< unit of the twin's quantity
  double factor;
};

// `ug/m3` and `dBA` are not in the SenML registry but are what feeds send
// (luftdaten, noise sensors); the twin's quantities use them as symbols.
constexpr std::array<conversion, 8> conversions = {{
  {"%", "/", 0.01},       // percent to ratio (dimming, fill level)
  {"%", "%RH", 1},        // plain percent for relative humidity
  {"/", "%RH", 100},      // ratio to percent
  {"m/s", "km/h", 3.6},   // speeds
  {"Wh", "kWh", 0.001},   // energy
  {"kW", "W", 1000},      // power
  {"1/s", "1/h", 3600},   // flows
  {"count", "", 1},       // RFC 8798 `count` for unitless counts
}};

struct cefact {
  std::string_view code;
  std::string_view senml;
};

constexpr std::array<cefact, 11> cefact_codes = {{
  {"CEL", "Cel"},  {"KMH", "km/h"}, {"MTS", "m/s"}, {"P1", "%"},
  {"GQ", "ug/m3"}, {"WTT", "W"},    {"KWT", "kW"},  {"KWH", "kWh"},
  {"WHR", "Wh"},   {"C62", ""},     {"2N", "dBA"},
}};

} // namespace

std::optional<double> to_quantity_unit(double value, std::string_view unit,
                                       twin::quantity q) {
  auto target = twin::info(q).unit;
  if (unit.empty() || unit == target)
    return value;
  for (const auto& c : conversions)
    if (c.from == unit && c.to == target)
      return value * c.factor;
  return std::nullopt;
}

std::optional<std::string_view> senml_unit_of(std::string_view unit_code) {
  for (const auto& c : cefact_codes)
    if (c.code == unit_code)
      return c.senml;
  return std::nullopt;
}

} // namespace citytwin::ingest
