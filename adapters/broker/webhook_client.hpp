// adapters/broker/webhook_client.hpp
#pragma once

#include "adapters/broker/outbound_policy.hpp"

#include <caf/expected.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::broker {

/// `http://host[:port]/path`, the only webhook form supported.
struct http_url {
  std::string host;
  uint16_t port = 80;
  std::string target = "/";
};

/// Parses a webhook URI (outbound_policy's syntax rules); bad_request_data
/// for anything else.
caf::expected<http_url> parse_http_url(std::string_view uri);

/// Outbound connections kept open between notifications, shared by every
/// webhook of a notifier: each holds a socket and an event loop (three
/// descriptors), so their number is bounded, not their subscriptions'.
struct connection_budget {
  std::atomic<size_t> open{0};
  size_t max = 256;
};

/// The addresses of `host` that `policy` allows for `port`, resolved once
/// (blocking: call on a notifier worker only). Empty when none is allowed
/// or the name does not resolve.
std::vector<ip_address> allowed_addresses(const std::string& host,
                                          uint16_t port,
                                          const outbound_policy& policy);

/// POSTs NGSI-LD notifications to one endpoint, over a kept-alive
/// connection while the budget allows, with a deadline per attempt.
/// Connects only to addresses the tenant's policy allows, to the address
/// it checked. Blocking: runs on a notifier worker, never on an I/O or
/// actor thread.
class webhook_client {
public:
  webhook_client(http_url url, std::shared_ptr<const outbound_policy> policy,
                 std::shared_ptr<connection_budget> budget);
  ~webhook_client();

  /// Sends `body`; returns the HTTP status or an error (refused address,
  /// connect, timeout).
  caf::expected<int> post(const std::string& body,
                          std::chrono::milliseconds timeout);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace citytwin::broker
