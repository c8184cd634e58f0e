// twin/quantity.cpp
#include "twin/quantity.hpp"

#include <array>
#include <limits>

namespace citytwin::twin {

namespace {

// Ranges are physical plausibility bounds, not legal limits: a reading
// outside them is a broken sensor or a unit mix-up and must not enter the
// twin. Sources: the widest values recorded in ../shared/data streams,
// widened by an order of magnitude where instruments saturate.
constexpr std::array<quantity_info, num_quantities> table = {{
    {quantity::vehicle_flow, "vehicle_flow", "intensity", "1/h", 0, 20000},
    {quantity::mean_speed, "mean_speed", "averageVehicleSpeed", "km/h", 0, 300},
    {quantity::occupancy, "occupancy", "occupancy", "/", 0, 1},
    {quantity::signal_phase, "signal_phase", "signalPhase", "", 0, 63},
    {quantity::dim_level, "dim_level", "dimLevel", "/", 0, 1},
    {quantity::lamp_fault, "lamp_fault", "lampFault", "", 0, 1},
    {quantity::fill_level, "fill_level", "fillingLevel", "/", 0, 1},
    {quantity::temperature, "temperature", "temperature", "Cel", -60, 130},
    {quantity::humidity, "humidity", "relativeHumidity", "%RH", 0, 100},
    {quantity::pm10, "pm10", "pm10", "ug/m3", 0, 5000},
    {quantity::pm25, "pm25", "pm25", "ug/m3", 0, 5000},
    {quantity::no2, "no2", "no2", "ug/m3", 0, 5000},
    {quantity::noise_level, "noise_level", "LAeq", "dBA", 0, 200},
    {quantity::free_spaces, "free_spaces", "availableSpotNumber", "", 0,
     100000},
    {quantity::energy, "energy", "totalActiveEnergyImport", "kWh", 0, 1e12},
    {quantity::power, "power", "activePower", "W", -1e9, 1e9},
    {quantity::people_count, "people_count", "peopleCount", "", 0, 1e6},
    {quantity::vehicle_count, "vehicle_count", "vehicleCount", "", 0, 1e6},
}};

using q = quantity;

constexpr std::array road_segment_q
    = {q::vehicle_flow, q::mean_speed, q::occupancy};
constexpr std::array intersection_q = {q::signal_phase};
constexpr std::array street_lamp_q = {q::dim_level, q::lamp_fault, q::power};
constexpr std::array waste_bin_q = {q::fill_level, q::temperature};
constexpr std::array traffic_counter_q
    = {q::vehicle_flow, q::mean_speed, q::occupancy, q::vehicle_count};
constexpr std::array air_quality_q
    = {q::pm10, q::pm25, q::no2, q::temperature, q::humidity};
constexpr std::array noise_sensor_q = {q::noise_level};
constexpr std::array parking_sensor_q = {q::free_spaces};
constexpr std::array energy_meter_q = {q::energy, q::power};
constexpr std::array camera_q = {q::people_count, q::vehicle_count};

} // namespace

const quantity_info& info(quantity x) {
  return table.at(static_cast<size_t>(x) - 1);
}

std::optional<quantity> parse_quantity(std::string_view name) {
  for (const auto& entry : table)
    if (entry.name == name || entry.ngsi == name)
      return entry.id;
  return std::nullopt;
}

std::span<const quantity> quantities_of(entity_kind kind) {
  switch (kind) {
    case entity_kind::road_segment:
      return road_segment_q;
    case entity_kind::intersection:
      return intersection_q;
    case entity_kind::street_lamp:
      return street_lamp_q;
    case entity_kind::waste_bin:
      return waste_bin_q;
    case entity_kind::traffic_counter:
      return traffic_counter_q;
    case entity_kind::air_quality:
      return air_quality_q;
    case entity_kind::noise_sensor:
      return noise_sensor_q;
    case entity_kind::parking_sensor:
      return parking_sensor_q;
    case entity_kind::energy_meter:
      return energy_meter_q;
    case entity_kind::camera:
      return camera_q;
  }
  return {};
}

bool accepts(entity_kind kind, quantity x) {
  for (auto candidate : quantities_of(kind))
    if (candidate == x)
      return true;
  return false;
}

} // namespace citytwin::twin
