// adapters/broker/virtual_sensor.cpp
#include "adapters/broker/virtual_sensor.hpp"

#include "adapters/broker/twin_document.hpp"
#include "twin/broker/live_entity.hpp"
#include "twin/civil_time.hpp"
#include "twin/entity_id.hpp"

namespace citytwin::broker {

std::string virtual_sensor_urn(const rules::aggregate_value& x,
                               std::string_view tenant) {
  return "urn:ngsi-ld:" + std::string{virtual_sensor_type} + ":"
         + std::string{tenant} + ":" + x.aggregate + "-" + x.group;
}

nlohmann::json virtual_sensor_document(const rules::aggregate_value& x,
                             std::string_view tenant) {
  auto value = property(x.value);
  value["observedAt"] = twin::format_iso_time(x.window_end);
  if (x.derived) {
    // A rule's derived attribute: the value under its own (camelCase)
    // name too, and the entity it is about.
    nlohmann::json doc = {{"id", virtual_sensor_urn(x, tenant)},
                          {"type", virtual_sensor_type},
                          {"value", value},
                          {ngsi_attribute_name(x.attribute),
                           value},
                          {"function", property(x.function)},
                          {"derivedAttribute", property(x.attribute)},
                          {"rule", property(x.aggregate)},
                          {"sampleCount", property(x.count)}};
    if (!x.whole_city)
      doc["refEntity"] = {{"type", "Relationship"},
                          {"object", twin::to_urn(x.subject, tenant)}};
    return doc;
  }
  return {{"id", virtual_sensor_urn(x, tenant)},
          {"type", virtual_sensor_type},
          {"value", std::move(value)},
          {"function", property(x.function)},
          {"sourceAttribute", property(x.attribute)},
          {"aggregate", property(x.aggregate)},
          {"group", property(x.group)},
          {"windowStart", date_time_property(x.window_start)},
          {"windowEnd", date_time_property(x.window_end)},
          {"sampleCount", property(x.count)}};
}

} // namespace citytwin::broker
