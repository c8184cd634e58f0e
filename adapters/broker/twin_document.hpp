// adapters/broker/twin_document.hpp
#pragma once

// Pieces of the NGSI-LD documents the twin writes into a tenant's store
// (Alert, VirtualSensor): normalized Properties and DateTime values.

#include "twin/civil_time.hpp"
#include "twin/reading.hpp"

#include <nlohmann/json.hpp>

#include <string_view>

namespace citytwin::broker {

/// True for ids in the namespaces only the twin writes, of any tenant:
/// alerts (`urn:ngsi-ld:Alert:`) and virtual sensors
/// (`urn:ngsi-ld:VirtualSensor:`). Clients read them; every write path
/// (an entity's URL, POST /entities, batch operations) refuses them.
inline bool twin_owned_id(std::string_view id) {
  return id.rfind("urn:ngsi-ld:Alert:", 0) == 0
         || id.rfind("urn:ngsi-ld:VirtualSensor:", 0) == 0;
}

/// `{"type": "Property", "value": value}`.
inline nlohmann::json property(nlohmann::json value) {
  return {{"type", "Property"}, {"value", std::move(value)}};
}

/// A Property whose value is a DateTime.
inline nlohmann::json date_time_property(twin::time_ms t) {
  return property(
    {{"@type", "DateTime"}, {"@value", twin::format_iso_time(t)}});
}

} // namespace citytwin::broker
