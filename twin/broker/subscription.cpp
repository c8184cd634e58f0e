// twin/broker/subscription.cpp
#include "twin/broker/subscription.hpp"

#include "twin/broker/broker_error.hpp"
#include "twin/broker/pattern.hpp"
#include "twin/iso_time.hpp"

#include <algorithm>

namespace citytwin::broker {

namespace {

constexpr size_t max_capacity = 100000;

caf::error bad(std::string detail) {
  return make_problem(broker_errc::bad_request_data, std::move(detail));
}

bool contains(const std::vector<std::string>& xs, std::string_view x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

caf::expected<std::vector<std::string>> names_of(const json& list,
                                                 const char* what) {
  std::vector<std::string> result;
  if (!list.is_array())
    return bad(std::string{what} + " must be an array of names");
  for (const auto& x : list) {
    if (!x.is_string() || !valid_name(x.get<std::string>()))
      return bad(std::string{what} + " holds an invalid name");
    result.push_back(x.get<std::string>());
  }
  return result;
}

caf::expected<uint32_t> parse_triggers(const json& list) {
  if (!list.is_array() || list.empty())
    return bad("notificationTrigger must be a non-empty array");
  uint32_t result = 0;
  for (const auto& x : list) {
    auto name = x.is_string() ? x.get<std::string>() : std::string{};
    if (name == "entityCreated")
      result |= trigger::entity_created;
    else if (name == "entityUpdated")
      result |= trigger::entity_updated;
    else if (name == "entityDeleted")
      result |= trigger::entity_deleted;
    else if (name == "attributeCreated")
      result |= trigger::attribute_created;
    else if (name == "attributeUpdated")
      result |= trigger::attribute_updated;
    else if (name == "attributeDeleted")
      result |= trigger::attribute_deleted;
    else
      return bad("unknown notificationTrigger '" + name + "'");
  }
  return result;
}

// Members read with json::value(key, fallback) must have the fallback's
// type when present: value() throws on any other, which a client's
// `"id": 1` must not turn into a 500.
caf::error expect_strings(const json& obj,
                          std::initializer_list<const char*> keys) {
  for (const auto* key : keys)
    if (auto i = obj.find(key); i != obj.end() && !i->is_string())
      return bad(std::string{key} + " must be a string");
  return {};
}

caf::error expect_booleans(const json& obj,
                           std::initializer_list<const char*> keys) {
  for (const auto* key : keys)
    if (auto i = obj.find(key); i != obj.end() && !i->is_boolean())
      return bad(std::string{key} + " must be true or false");
  return {};
}

caf::error parse_notification(const json& n, subscription& s) {
  if (!n.is_object())
    return bad("notification must be an object");
  if (auto err = expect_strings(n, {"format"}))
    return err;
  if (auto err = expect_booleans(n, {"showChanges", "sysAttrs"}))
    return err;
  if (n.contains("attributes")) {
    auto attrs = names_of(n["attributes"], "notification.attributes");
    if (!attrs)
      return attrs.error();
    s.notify_attrs = std::move(*attrs);
  }
  auto format = n.value("format", std::string{"normalized"});
  if (format == "normalized")
    s.format = entity_format::normalized;
  else if (format == "keyValues")
    s.format = entity_format::key_values;
  else if (format == "concise")
    s.format = entity_format::concise;
  else
    return bad("unknown notification format '" + format + "'");
  s.show_changes = n.value("showChanges", false);
  s.sys_attrs = n.value("sysAttrs", false);
  const auto& endpoint = n.value("endpoint", json{});
  if (!endpoint.is_object() || !endpoint.contains("uri")
      || !endpoint["uri"].is_string())
    return bad("notification.endpoint.uri is required");
  s.endpoint = endpoint["uri"].get<std::string>();
  if (s.endpoint.rfind("http://", 0) == 0)
    s.via = transport::http;
  else if (s.endpoint.rfind("mqtt://", 0) == 0)
    s.via = transport::mqtt;
  else if (s.endpoint == websocket_endpoint)
    s.via = transport::websocket;
  else
    return bad("endpoint must be http://, mqtt:// or "
               + std::string{websocket_endpoint}
               + " (https and mqtts are not supported)");
  return {};
}

caf::error parse_queue(const json& q, subscription& s) {
  if (!q.is_object())
    return bad("queue must be an object");
  if (auto err = expect_strings(q, {"policy"}))
    return err;
  auto policy = q.value("policy", std::string{"coalesce"});
  if (policy == "coalesce")
    s.policy = queue_policy::coalesce;
  else if (policy == "dropOldest")
    s.policy = queue_policy::drop_oldest;
  else
    return bad("queue.policy must be coalesce or dropOldest");
  if (q.contains("capacity")) {
    const auto& c = q["capacity"];
    if (!c.is_number_unsigned() || c.get<size_t>() == 0
        || c.get<size_t>() > max_capacity)
      return bad("queue.capacity must be 1.." + std::to_string(max_capacity));
    s.capacity = c.get<size_t>();
  }
  return {};
}

caf::error parse_entities(const json& list, subscription& s) {
  if (!list.is_array() || list.empty())
    return bad("entities must be a non-empty array");
  for (const auto& e : list) {
    if (!e.is_object())
      return bad("entities holds a non-object");
    entity_selector sel;
    if (auto err = expect_strings(e, {"id", "type", "idPattern"}))
      return err;
    sel.id = e.value("id", std::string{});
    sel.type = e.value("type", std::string{});
    sel.id_pattern_text = e.value("idPattern", std::string{});
    if (sel.type.empty() && sel.id.empty() && sel.id_pattern_text.empty())
      return bad("an entities member needs id, idPattern or type");
    if (!sel.type.empty() && !valid_name(sel.type))
      return bad("invalid entity type in entities");
    if (!sel.id.empty() && !valid_entity_id(sel.id))
      return bad("invalid entity id in entities");
    if (!sel.id_pattern_text.empty()) {
      try {
        sel.id_pattern = compile_pattern(sel.id_pattern_text);
      } catch (const std::regex_error&) {
        return bad("idPattern is not a valid regular expression");
      }
    }
    s.entities.push_back(std::move(sel));
  }
  return {};
}

} // namespace

caf::expected<subscription> parse_subscription(const json& body,
                                               std::string id) {
  if (!body.is_object())
    return bad("a subscription must be a JSON object");
  if (auto err = expect_strings(body, {"id", "type"}))
    return err;
  subscription s;
  s.id = body.value("id", std::move(id));
  if (!valid_entity_id(s.id))
    return bad("subscription id is not a valid URI");
  if (body.value("type", std::string{}) != "Subscription")
    return bad("type must be \"Subscription\"");
  if (body.contains("entities"))
    if (auto err = parse_entities(body["entities"], s))
      return err;
  if (body.contains("watchedAttributes")) {
    auto watched = names_of(body["watchedAttributes"], "watchedAttributes");
    if (!watched)
      return watched.error();
    if (watched->empty())
      return bad("watchedAttributes must not be empty");
    s.watched = std::move(*watched);
  }
  if (s.entities.empty() && s.watched.empty())
    return bad("a subscription needs entities or watchedAttributes");
  if (body.contains("q")) {
    if (!body["q"].is_string())
      return bad("q must be a string");
    auto q = parse_q(body["q"].get<std::string>());
    if (!q)
      return bad(detail_of(q.error()));
    s.q = std::move(*q);
  }
  if (body.contains("geoQ")) {
    auto geo = parse_geo_query(body["geoQ"]);
    if (!geo)
      return bad(detail_of(geo.error()));
    s.geo = std::move(*geo);
  }
  if (body.contains("notificationTrigger")) {
    auto triggers = parse_triggers(body["notificationTrigger"]);
    if (!triggers)
      return triggers.error();
    s.triggers = *triggers;
  }
  if (!body.contains("notification"))
    return bad("notification is required");
  if (auto err = parse_notification(body["notification"], s))
    return err;
  if (body.contains("throttling")) {
    const auto& t = body["throttling"];
    if (!t.is_number() || t.get<double>() < 0)
      return bad("throttling must be a non-negative number of seconds");
    s.throttling_s = t.get<double>();
  }
  if (body.contains("timeInterval"))
    return make_problem(broker_errc::not_supported,
                        "periodic subscriptions (timeInterval) are not "
                        "supported");
  if (body.contains("expiresAt")) {
    auto at = body["expiresAt"].is_string()
                  ? twin::parse_iso_time(body["expiresAt"].get<std::string>())
                  : std::nullopt;
    if (!at)
      return bad("expiresAt must be an ISO 8601 date-time");
    s.expires_ms = *at;
  }
  if (body.contains("isActive")) {
    if (!body["isActive"].is_boolean())
      return bad("isActive must be a boolean");
    s.active = body["isActive"].get<bool>();
  }
  if (body.contains("queue"))
    if (auto err = parse_queue(body["queue"], s))
      return err;
  s.document = body;
  s.document["id"] = s.id;
  s.document.erase("@context");
  for (auto member : {"status", "timesSent", "timesFailed", "lastNotification",
                      "lastSuccess", "lastFailure"})
    s.document.erase(member);
  return s;
}

caf::expected<subscription> patch_subscription(const subscription& current,
                                               const json& patch) {
  if (!patch.is_object())
    return bad("the body must be a JSON object");
  if (patch.contains("id") && patch["id"] != current.id)
    return bad("a subscription's id cannot change");
  auto merged = current.document;
  merged.merge_patch(patch);
  merged.erase("@context");
  auto result = parse_subscription(merged, current.id);
  if (result) {
    result->tenant = current.tenant;
    result->owner = current.owner;
  }
  return result;
}

std::vector<std::string> subscription::types() const {
  std::vector<std::string> result;
  for (const auto& e : entities) {
    if (e.type.empty())
      return {};
    result.push_back(e.type);
  }
  return result;
}

bool subscription::matches(const entity_change& change, int64_t now_ms) const {
  if (!active || (expires_ms && now_ms >= *expires_ms))
    return false;
  if (!entities.empty()) {
    const auto& id = change.id;
    auto selected = std::any_of(
        entities.begin(), entities.end(), [&](const entity_selector& e) {
          if (!e.id.empty() && e.id != id)
            return false;
          if (e.id_pattern && !std::regex_search(id, *e.id_pattern))
            return false;
          return e.type.empty() || contains(change.types, e.type);
        });
    if (!selected)
      return false;
  }
  // Which trigger fired, and did it touch a watched attribute?
  auto touches = [&](const std::vector<std::string>& attrs) {
    if (watched.empty())
      return !attrs.empty();
    return std::any_of(attrs.begin(), attrs.end(),
                       [&](const auto& a) { return contains(watched, a); });
  };
  bool fired = false;
  switch (change.what) {
    case entity_change::kind::created:
      fired = (triggers & trigger::entity_created)
              || ((triggers & trigger::attribute_created)
                  && touches(change.created_attrs));
      break;
    case entity_change::kind::deleted:
      fired = (triggers & trigger::entity_deleted) != 0;
      break;
    case entity_change::kind::updated:
      fired = ((triggers & trigger::entity_updated)
               && (watched.empty() || touches(change.updated_attrs)
                   || touches(change.created_attrs)
                   || touches(change.deleted_attrs)))
              || ((triggers & trigger::attribute_created)
                  && touches(change.created_attrs))
              || ((triggers & trigger::attribute_updated)
                  && touches(change.updated_attrs))
              || ((triggers & trigger::attribute_deleted)
                  && touches(change.deleted_attrs));
      break;
  }
  if (!fired)
    return false;
  if (change.what == entity_change::kind::deleted)
    return true; // q and geoQ do not apply to an entity that is gone
  if (q && !q->matches(*change.entity))
    return false;
  if (geo && !geo->matches(*change.entity))
    return false;
  return true;
}

} // namespace citytwin::broker
