// twin/entity_kind.hpp
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace citytwin::twin {

/// Every kind of thing the twin models. The numbers appear in city files,
/// Protobuf messages and HDF5 archives: append only, never renumber.
enum class entity_kind : uint8_t {
  road_segment = 1,
  intersection,
  street_lamp,
  waste_bin,
  traffic_counter,
  air_quality,
  noise_sensor,
  parking_sensor,
  energy_meter,
  camera,
};

/// Number of kinds; `entity_kind` values run from 1 to this.
constexpr size_t num_entity_kinds = 10;

/// All kinds in declaration order, for loops over every kind.
constexpr std::array<entity_kind, num_entity_kinds> all_entity_kinds = {
    entity_kind::road_segment,    entity_kind::intersection,
    entity_kind::street_lamp,     entity_kind::waste_bin,
    entity_kind::traffic_counter, entity_kind::air_quality,
    entity_kind::noise_sensor,    entity_kind::parking_sensor,
    entity_kind::energy_meter,    entity_kind::camera,
};

/// Zero-based position of a kind, for per-kind arrays.
constexpr size_t index_of(entity_kind kind) {
  return static_cast<size_t>(kind) - 1;
}

/// The snake_case name used in city files and on the command line.
std::string_view to_string(entity_kind kind);

/// The NGSI-LD entity type, used in URNs (`StreetLight`, `RoadSegment`).
std::string_view ngsi_type(entity_kind kind);

/// Parses a snake_case kind name; nullopt for anything else.
std::optional<entity_kind> parse_entity_kind(std::string_view name);

/// Parses an NGSI-LD entity type; nullopt for anything else.
std::optional<entity_kind> parse_ngsi_type(std::string_view type);

/// True for the kinds that are sensors (placed things that only measure).
bool is_sensor(entity_kind kind);

} // namespace citytwin::twin
