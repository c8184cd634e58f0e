// adapters/broker/alert_entity.hpp
#pragma once

// Alerts of the twin's rules as NGSI-LD entities of type `Alert` (the
// Smart Data Models vocabulary: category, severity, description,
// alertSource, dateIssued, plus the lifecycle: status, acknowledgedBy,
// dateCleared, and the rule's explanation; for a recommended action issued
// from a what-if run its audience and, once reported, its outcome). The TENANT keeps them in its
// store, so queries, sharing rules and subscriptions (webhook, MQTT,
// WebSocket) treat them like any other entity. Only the twin writes them:
// clients acknowledge through the viewer port (POST /api/alerts/<id>/ack).

#include "twin/rules/alert_book.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace citytwin::broker {

/// The NGSI-LD type of alerts.
constexpr std::string_view alert_type = "Alert";

/// The archived stream of an alert's status (derived, like a reading's):
/// its `alert_status` as a number, 0 raised, 1 acknowledged, 2 cleared,
/// 3 closed, at the time of each transition.
constexpr std::string_view alert_status_stream = "status";

/// `urn:ngsi-ld:Alert:<tenant>:<id>`, the id zero-padded like entities'.
std::string alert_urn(uint64_t id, std::string_view tenant);

/// The normalized NGSI-LD document of an alert of `tenant`'s city.
nlohmann::json alert_document(const rules::alert& a, std::string_view tenant);

} // namespace citytwin::broker
