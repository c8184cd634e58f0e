// adapters/broker/webhook_client.hpp
#pragma once

#include <caf/expected.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace citytwin::broker {

/// `http://host[:port]/path`, the only webhook form supported.
struct http_url {
  std::string host;
  uint16_t port = 80;
  std::string target = "/";
};

/// Parses a webhook URI; bad_request_data for anything else.
caf::expected<http_url> parse_http_url(std::string_view uri);

/// POSTs NGSI-LD notifications to one endpoint over a kept-alive
/// connection, with a deadline per attempt. Blocking: runs on a
/// notifier worker, never on an I/O or actor thread.
class webhook_client {
public:
  explicit webhook_client(http_url url);
  ~webhook_client();

  /// Sends `body`; returns the HTTP status or an error (connect, timeout).
  caf::expected<int> post(const std::string& body,
                          std::chrono::milliseconds timeout);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace citytwin::broker
