// adapters/mqtt/broker_url.cpp
#include "adapters/mqtt/broker_url.hpp"

#include "twin/error.hpp"
#include "twin/text.hpp"

namespace citytwin::mqtt {

caf::expected<broker_url> parse_broker_url(std::string_view text) {
  constexpr std::string_view scheme = "mqtt://";
  auto fail = [&](const char* why) {
    return caf::make_error(twin::errc::invalid_config,
                           std::string{why} + ": '" + std::string{text}
                             + "' (expected mqtt://HOST[:PORT])");
  };
  if (text.substr(0, scheme.size()) != scheme)
    return fail("not an mqtt:// URL");
  auto rest = text.substr(scheme.size());
  if (rest.find_first_of("@/?#") != std::string_view::npos)
    return fail("credentials and paths are not supported");
  broker_url result;
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos) {
    unsigned port = 0;
    if (!twin::parse_number(rest.substr(colon + 1), port) || port == 0
        || port > 65535)
      return fail("bad port");
    result.port = static_cast<uint16_t>(port);
    rest = rest.substr(0, colon);
  }
  if (rest.empty())
    return fail("no host");
  result.host = std::string{rest};
  return result;
}

} // namespace citytwin::mqtt
