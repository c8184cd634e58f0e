// twin/quantity.hpp
#pragma once

#include "twin/entity_kind.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace citytwin::twin {

/// What a reading measures. The numbers travel in messages and archives:
/// append only, and stay below 32 so a set of them fits a bit mask.
enum class quantity : uint8_t {
  vehicle_flow = 1, ///< vehicles per hour
  mean_speed,       ///< km/h
  occupancy,        ///< fraction of time a detector is covered, 0..1
  signal_phase,     ///< index of the active signal phase
  dim_level,        ///< lamp output, 0 (off) .. 1 (full)
  lamp_fault,       ///< 1 when the lamp reports a fault, else 0
  fill_level,       ///< waste bin fill, 0 (empty) .. 1 (full)
  temperature,      ///< degrees Celsius
  humidity,         ///< relative humidity, percent
  pm10,             ///< particulate matter < 10 µm, µg/m³
  pm25,             ///< particulate matter < 2.5 µm, µg/m³
  no2,              ///< nitrogen dioxide, µg/m³
  noise_level,      ///< A-weighted equivalent level, dB(A)
  free_spaces,      ///< free parking spaces
  energy,           ///< cumulative meter reading, kWh
  power,            ///< instantaneous power, W (negative: export)
  people_count,     ///< people seen in the last interval
  vehicle_count,    ///< vehicles seen in the last interval
};

/// Number of quantities; values run from 1 to this.
constexpr size_t num_quantities = 18;

/// Static facts about a quantity: names on the wire and its valid range.
struct quantity_info {
  quantity id;
  std::string_view name; ///< snake_case, as in city files and CLI output
  std::string_view ngsi; ///< NGSI-LD attribute name (camelCase)
  std::string_view unit; ///< SenML unit symbol (RFC 8428 registry)
  double min;            ///< smallest physically plausible value
  double max;            ///< largest physically plausible value
};

/// Facts about one quantity.
const quantity_info& info(quantity q);

/// Parses a snake_case or NGSI-LD quantity name.
std::optional<quantity> parse_quantity(std::string_view name);

/// The quantities an entity of `kind` accepts, in a fixed order.
std::span<const quantity> quantities_of(entity_kind kind);

/// True if `kind` accepts readings of `q`.
bool accepts(entity_kind kind, quantity q);

/// The bit standing for `q` in a set of changed attributes.
constexpr uint32_t bit(quantity q) {
  return uint32_t{1} << static_cast<uint32_t>(q);
}

/// The bit standing for a change that no quantity names: an actuator's
/// commanded setting (signal plan or mode, command count). Quantities stay
/// below 32, so the top bit is free.
constexpr uint32_t actuation_bit = uint32_t{1} << 31;

} // namespace citytwin::twin
