// adapters/broker/alert_entity.cpp
#include "adapters/broker/alert_entity.hpp"

#include "adapters/broker/twin_document.hpp"
#include "twin/entity_id.hpp"

#include <cstdio>

namespace citytwin::broker {

namespace {

std::string prefix(std::string_view tenant) {
  return "urn:ngsi-ld:" + std::string{alert_type} + ":" + std::string{tenant}
         + ":";
}

} // namespace

std::string alert_urn(uint64_t id, std::string_view tenant) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%06llu",
                static_cast<unsigned long long>(id));
  return prefix(tenant) + digits;
}

nlohmann::json alert_document(const rules::alert& a, std::string_view tenant) {
  nlohmann::json doc = {{"id", alert_urn(a.id, tenant)},
              {"type", alert_type},
              {"category", property(a.kind)},
              {"severity", property(rules::to_string(a.level))},
              {"description", property(a.text.empty() ? a.kind : a.text)},
              {"why", property(a.why)},
              {"rule", property(a.rule)},
              {"status", property(rules::to_string(a.status))},
              {"timesRaised", property(a.times_raised)},
              {"dateIssued", date_time_property(a.raised_at)}};
  if (!a.whole_city)
    doc["alertSource"] = {{"type", "Relationship"},
                          {"object", twin::to_urn(a.anchor, tenant)}};
  if (!a.acknowledged_by.empty()) {
    doc["acknowledgedBy"] = property(a.acknowledged_by);
    doc["dateAcknowledged"] = date_time_property(a.acknowledged_at);
  }
  if (a.cleared_at != 0)
    doc["dateCleared"] = date_time_property(a.cleared_at);
  // A recommended action names who should act: subscriptions can select
  // on it (q=audience~=".*police.*").
  if (!a.audience.empty())
    doc["audience"] = property(a.audience);
  if (!a.outcome.empty()) {
    doc["outcome"] = property(a.outcome);
    doc["outcomeBy"] = property(a.outcome_by);
    doc["dateOutcome"] = date_time_property(a.outcome_at);
  }
  return doc;
}

} // namespace citytwin::broker
