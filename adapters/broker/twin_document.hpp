// adapters/broker/twin_document.hpp
#pragma once

// Pieces of the NGSI-LD documents the twin writes into a tenant's store
// (Alert, VirtualSensor): normalized Properties and DateTime values.

#include "twin/civil_time.hpp"
#include "twin/reading.hpp"

#include <nlohmann/json.hpp>

namespace citytwin::broker {

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
