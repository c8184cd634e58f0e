// twin/entity_kind.cpp
#include "twin/entity_kind.hpp"

namespace citytwin::twin {

namespace {

struct kind_names {
  std::string_view name;
  std::string_view ngsi;
};

constexpr std::array<kind_names, num_entity_kinds> names = {{
    {"road_segment", "RoadSegment"},
    {"intersection", "Intersection"},
    {"street_lamp", "StreetLight"},
    {"waste_bin", "WasteContainer"},
    {"traffic_counter", "TrafficCounter"},
    {"air_quality", "AirQualitySensor"},
    {"noise_sensor", "NoiseSensor"},
    {"parking_sensor", "ParkingSensor"},
    {"energy_meter", "EnergyMeter"},
    {"camera", "Camera"},
}};

} // namespace

std::string_view to_string(entity_kind kind) {
  return names.at(index_of(kind)).name;
}

std::string_view ngsi_type(entity_kind kind) {
  return names.at(index_of(kind)).ngsi;
}

std::optional<entity_kind> parse_entity_kind(std::string_view name) {
  for (auto kind : all_entity_kinds)
    if (names[index_of(kind)].name == name)
      return kind;
  return std::nullopt;
}

std::optional<entity_kind> parse_ngsi_type(std::string_view type) {
  for (auto kind : all_entity_kinds)
    if (names[index_of(kind)].ngsi == type)
      return kind;
  return std::nullopt;
}

bool is_sensor(entity_kind kind) {
  switch (kind) {
    case entity_kind::traffic_counter:
    case entity_kind::air_quality:
    case entity_kind::noise_sensor:
    case entity_kind::parking_sensor:
    case entity_kind::energy_meter:
    case entity_kind::camera:
      return true;
    default:
      return false;
  }
}

} // namespace citytwin::twin
