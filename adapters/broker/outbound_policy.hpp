// adapters/broker/outbound_policy.hpp
#pragma once

// Where notifications may go. A subscription's endpoint is a request the
// server makes on the subscriber's behalf, so without a policy anyone who
// may subscribe can reach what only the server reaches: its own ports, the
// cloud metadata service, the private network (server-side request
// forgery). Endpoints are checked twice: their syntax and any literal
// address when the subscription is written, and every resolved address
// right before a connection, to that same address (no second lookup that
// a rebinding DNS server could answer differently).

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::broker {

/// An IPv4 or IPv6 address; IPv4 is kept in its IPv4-mapped IPv6 form.
struct ip_address {
  std::array<uint8_t, 16> bytes{};
  bool v4 = false;
};

/// A canonical dotted quad (`10.0.0.1`; no leading zeros, no shortened,
/// octal, hex or integer forms) or an IPv6 address; nullopt otherwise.
std::optional<ip_address> parse_ip_literal(std::string_view text);

/// Why an address is not public, or `public_address`.
enum class address_class : uint8_t {
  public_address,
  loopback,    ///< 127.0.0.0/8, ::1
  unspecified, ///< 0.0.0.0/8, ::
  link_local,  ///< 169.254.0.0/16 (cloud metadata), fe80::/10
  private_use, ///< 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7
  multicast,   ///< 224.0.0.0/4, ff00::/8
  reserved,    ///< 240.0.0.0/4 and broadcast, documentation ranges
};

address_class classify(const ip_address& a);
std::string_view to_string(address_class c);

/// A network the tenants file allows although it is not public:
/// `127.0.0.1/32`, `10.0.0.0/8:8000-8999`, `[::1]/128:9000`.
struct allowed_network {
  ip_address base;
  unsigned prefix = 0; ///< in IPv6 bits (IPv4 prefixes are offset by 96)
  uint16_t port_min = 1;
  uint16_t port_max = 65535;
};

caf::expected<allowed_network> parse_allowed_network(std::string_view text);

/// A notification endpoint after its syntax checks.
struct endpoint_url {
  std::string scheme; ///< `http` or `mqtt`
  std::string host;   ///< a DNS name or an address, without brackets
  std::optional<ip_address> literal;
  uint16_t port = 0;
  std::string target; ///< the path (http) or topic (mqtt), may be empty
};

/// Parses `http://host[:port][/path]` or `mqtt://host[:port][/topic]`:
/// printable ASCII only (no spaces or control characters, which would
/// split an HTTP request line into injected headers), no user info, a
/// port in 1..65535, a host that is a DNS name (letters in its last
/// label), a canonical IPv4 address or a bracketed IPv6 address.
caf::expected<endpoint_url> parse_endpoint(std::string_view uri);

class outbound_policy {
public:
  outbound_policy() = default;
  outbound_policy(std::vector<allowed_network> allow,
                  std::vector<uint16_t> own_ports);

  /// May a notification connect to `a`:`port`? An error naming the
  /// reason (for the log and the subscriber who wrote a literal address);
  /// delivery status only ever says "failed".
  caf::error check(const ip_address& a, uint16_t port) const;

  /// Syntax, and the address when the host is a literal one.
  caf::expected<endpoint_url> check_endpoint(std::string_view uri) const;

private:
  std::vector<allowed_network> allow_;
  std::vector<uint16_t> own_ports_;
};

} // namespace citytwin::broker
