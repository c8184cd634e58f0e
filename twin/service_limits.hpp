// twin/service_limits.hpp
#pragma once

// How much of the server one tenant, one principal or one anonymous
// client may hold. Read from the tenants file (`limits:`, format in
// data/access/README.md); every limit, with the refusal it causes and the
// counter that counts it, is listed in README.md, section "Limits".

#include <cstddef>
#include <cstdint>

namespace citytwin::twin {

struct service_limits {
  /// Subscriptions one tenant holds (all transports); beyond: 429.
  size_t subscriptions_per_tenant = 1000;
  /// Subscriptions one token or API key owns in a tenant; beyond: 429.
  size_t subscriptions_per_principal = 100;
  /// Webhook and MQTT subscriptions of all tenants together. Each may hold
  /// an outbound connection, so this bounds descriptors; beyond: 503.
  size_t outbound_subscriptions = 2000;
  /// Outbound connections kept open between notifications; further
  /// deliveries connect, send and close.
  size_t kept_alive_connections = 256;
  /// NGSI-LD requests per minute one anonymous client address may make to
  /// one tenant (bursts of the same size); beyond: 429.
  uint32_t anonymous_requests_per_minute = 600;
  /// Connections open at once on the NGSI-LD port; beyond, new ones get
  /// 503 and are closed.
  size_t api_connections = 4096;
};

} // namespace citytwin::twin
