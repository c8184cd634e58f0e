// twin/broker/subscription.hpp
#pragma once

// An NGSI-LD subscription (ETSI GS CIM 009, 5.2.12) as the broker keeps
// it: the parsed filters for matching, and the document for GET.

#include "twin/broker/entity_store.hpp"
#include "twin/broker/geo_query.hpp"
#include "twin/broker/ngsi_query.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace citytwin::broker {

/// One member of `entities`: id, idPattern and/or type.
struct entity_selector {
  std::string id;
  std::string id_pattern_text;
  std::optional<std::regex> id_pattern;
  std::string type;
};

/// notificationTrigger values, as bits.
namespace trigger {
constexpr uint32_t entity_created = 1;
constexpr uint32_t entity_updated = 2;
constexpr uint32_t entity_deleted = 4;
constexpr uint32_t attribute_created = 8;
constexpr uint32_t attribute_updated = 16;
constexpr uint32_t attribute_deleted = 32;
constexpr uint32_t defaults = attribute_created | attribute_updated;
} // namespace trigger

/// How notifications leave the broker.
enum class transport : uint8_t {
  http,      ///< POST to a webhook (http://host:port/path)
  mqtt,      ///< publish to mqtt://host:port/topic
  websocket, ///< pushed to clients attached to the subscription's stream
};

/// What a full subscriber queue does with one more update.
enum class queue_policy : uint8_t {
  coalesce,    ///< keep the latest state per entity
  drop_oldest, ///< keep the newest `capacity` updates in order
};

struct subscription {
  std::string id;
  std::string tenant;
  std::string owner; ///< principal name, for audit
  std::vector<entity_selector> entities;
  std::vector<std::string> watched;
  std::optional<q_query> q;
  std::optional<geo_query> geo;
  uint32_t triggers = trigger::defaults;
  std::vector<std::string> notify_attrs;
  entity_format format = entity_format::normalized;
  bool show_changes = false;
  bool sys_attrs = false;
  transport via = transport::http;
  std::string endpoint; ///< the URI as given
  double throttling_s = 0;
  std::optional<int64_t> expires_ms;
  bool active = true;
  queue_policy policy = queue_policy::coalesce;
  size_t capacity = 1000;
  json document; ///< as created/patched, without server-kept members

  /// Does the change concern this subscription? `now_ms` for expiry.
  bool matches(const entity_change& change, int64_t now_ms) const;

  /// Entity types this subscription can see (empty: any type).
  std::vector<std::string> types() const;
};

/// Parses and validates a subscription body; `id` is used when the body
/// has none. The WebSocket transport is `urn:citytwin:websocket`.
caf::expected<subscription> parse_subscription(const json& body,
                                               std::string id);

/// Applies a PATCH to a subscription (re-validating the whole).
caf::expected<subscription> patch_subscription(const subscription& current,
                                               const json& patch);

/// The endpoint URI clients attach WebSocket subscriptions with.
constexpr std::string_view websocket_endpoint = "urn:citytwin:websocket";

} // namespace citytwin::broker
