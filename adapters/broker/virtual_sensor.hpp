// adapters/broker/virtual_sensor.hpp
#pragma once

// The groups of the rules' windowed aggregates as NGSI-LD entities of type
// `VirtualSensor`, one per aggregate and group (a district, a kind, the
// whole selection): the value of the last closed window, with its function,
// source attribute, window and sample count. The TENANT keeps them, so
// they are queried, shared (by type, like any stream) and subscribed to
// like any entity; only the twin writes them. A rule's derived attribute
// (`derive:`) is a virtual sensor too, named after the rule and the anchor
// (`<rule>-Intersection-12`), with the value under the derived name as
// well and a `refEntity` relationship to the anchor.

#include "twin/rules/aggregate.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace citytwin::broker {

constexpr std::string_view virtual_sensor_type = "VirtualSensor";

/// `urn:ngsi-ld:VirtualSensor:<tenant>:<aggregate>-<group>`.
std::string virtual_sensor_urn(const rules::aggregate_value& x,
                               std::string_view tenant);

/// The normalized NGSI-LD document of a virtual sensor's latest window.
nlohmann::json virtual_sensor_document(const rules::aggregate_value& x,
                                       std::string_view tenant);

} // namespace citytwin::broker
