// adapters/mqtt/broker_url.hpp
#pragma once

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace citytwin::mqtt {

/// Where an MQTT broker listens.
struct broker_url {
  std::string host = "127.0.0.1";
  uint16_t port = 1883;
};

/// Parses `mqtt://host[:port]` (port 1883 by default). TLS (`mqtts://`),
/// credentials and paths are not supported: errc::invalid_config.
caf::expected<broker_url> parse_broker_url(std::string_view text);

} // namespace citytwin::mqtt
