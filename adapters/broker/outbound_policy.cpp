// adapters/broker/outbound_policy.cpp
#include "adapters/broker/outbound_policy.hpp"

#include "twin/broker/broker_error.hpp"
#include "twin/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace citytwin::broker {

namespace {

constexpr size_t max_uri_length = 2048;
constexpr size_t max_host_length = 253;
constexpr size_t max_label_length = 63;

caf::error bad(std::string detail) {
  return make_problem(broker_errc::bad_request_data, std::move(detail));
}

ip_address from_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  ip_address result;
  result.v4 = true;
  result.bytes[10] = result.bytes[11] = 0xff;
  result.bytes[12] = a;
  result.bytes[13] = b;
  result.bytes[14] = c;
  result.bytes[15] = d;
  return result;
}

std::optional<ip_address> parse_v4(std::string_view text) {
  std::array<uint8_t, 4> parts{};
  for (size_t i = 0; i < 4; ++i) {
    auto dot = text.find('.');
    if ((i < 3) != (dot != std::string_view::npos))
      return std::nullopt;
    auto part = text.substr(0, dot);
    // Canonical decimal only: `0x7f`, `0177` and `1` are what resolvers
    // read as other addresses than the one a reviewer would see.
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')
        || !std::all_of(part.begin(), part.end(),
                        [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    unsigned value = 0;
    if (!twin::parse_number(part, value) || value > 255)
      return std::nullopt;
    parts[i] = static_cast<uint8_t>(value);
    text = dot == std::string_view::npos ? std::string_view{}
                                         : text.substr(dot + 1);
  }
  return from_v4(parts[0], parts[1], parts[2], parts[3]);
}

bool is_v4_mapped(const ip_address& a) {
  return std::all_of(a.bytes.begin(), a.bytes.begin() + 10,
                     [](uint8_t b) { return b == 0; })
         && a.bytes[10] == 0xff && a.bytes[11] == 0xff;
}

// True if the first `bits` bits of `a` and `b` agree.
bool same_prefix(const ip_address& a, const ip_address& b, unsigned bits) {
  for (unsigned i = 0; i < 16 && bits > 0; ++i) {
    unsigned take = std::min(bits, 8u);
    uint8_t mask = static_cast<uint8_t>(0xff << (8 - take));
    if ((a.bytes[i] & mask) != (b.bytes[i] & mask))
      return false;
    bits -= take;
  }
  return true;
}

address_class classify_v4(const std::array<uint8_t, 16>& b) {
  auto a0 = b[12], a1 = b[13];
  if (a0 == 127)
    return address_class::loopback;
  if (a0 == 0)
    return address_class::unspecified;
  if (a0 == 169 && a1 == 254)
    return address_class::link_local;
  if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)
      || (a0 == 100 && (a1 & 0xc0) == 64))
    return address_class::private_use;
  if ((a0 & 0xf0) == 224)
    return address_class::multicast;
  // 240/4 includes the broadcast address; 192.0.0/24 and 198.18/15 are
  // protocol and benchmarking ranges, never a subscriber's host.
  if ((a0 & 0xf0) == 240 || (a0 == 192 && a1 == 0 && b[14] == 0)
      || (a0 == 198 && (a1 & 0xfe) == 18))
    return address_class::reserved;
  return address_class::public_address;
}

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

// A DNS name whose last label has a letter: `2130706433` and `0x7f.1` are
// numbers a resolver turns into 127.0.0.1, not names.
bool valid_dns_name(std::string_view host) {
  if (host.empty() || host.size() > max_host_length)
    return false;
  if (host.back() == '.')
    host.remove_suffix(1);
  std::string_view last;
  while (!host.empty()) {
    auto dot = host.find('.');
    auto label = host.substr(0, dot);
    if (label.empty() || label.size() > max_label_length
        || label.front() == '-' || label.back() == '-'
        || !std::all_of(label.begin(), label.end(), host_char))
      return false;
    last = label;
    host = dot == std::string_view::npos ? std::string_view{}
                                         : host.substr(dot + 1);
  }
  return std::any_of(last.begin(), last.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c));
  }) && !(last.size() > 1 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')
          && std::all_of(last.begin() + 2, last.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c));
             }));
}

} // namespace

std::optional<ip_address> parse_ip_literal(std::string_view text) {
  if (text.find(':') == std::string_view::npos)
    return parse_v4(text);
  if (text.size() > 45)
    return std::nullopt;
  std::string copy{text};
  ip_address result;
  if (inet_pton(AF_INET6, copy.c_str(), result.bytes.data()) != 1)
    return std::nullopt;
  result.v4 = is_v4_mapped(result);
  return result;
}

address_class classify(const ip_address& a) {
  if (is_v4_mapped(a))
    return classify_v4(a.bytes);
  const auto& b = a.bytes;
  bool zero_prefix = std::all_of(b.begin(), b.begin() + 15,
                                 [](uint8_t x) { return x == 0; });
  if (zero_prefix && b[15] == 1)
    return address_class::loopback;
  if (zero_prefix && b[15] == 0)
    return address_class::unspecified;
  // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) embed IPv4
  // addresses that would reach the same hosts.
  if (std::all_of(b.begin(), b.begin() + 12, [](uint8_t x) { return x == 0; })
      || (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b))
    return classify_v4(b) == address_class::public_address
               ? address_class::reserved
               : classify_v4(b);
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
    return address_class::link_local;
  if ((b[0] & 0xfe) == 0xfc)
    return address_class::private_use;
  if (b[0] == 0xff)
    return address_class::multicast;
  // 2001:db8::/32, documentation.
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
    return address_class::reserved;
  return address_class::public_address;
}

std::string_view to_string(address_class c) {
  switch (c) {
    case address_class::public_address:
      return "public";
    case address_class::loopback:
      return "loopback";
    case address_class::unspecified:
      return "unspecified";
    case address_class::link_local:
      return "link-local";
    case address_class::private_use:
      return "private";
    case address_class::multicast:
      return "multicast";
    case address_class::reserved:
      return "reserved";
  }
  return "unknown";
}

caf::expected<allowed_network> parse_allowed_network(std::string_view text) {
  allowed_network result;
  std::string_view address = text;
  std::string_view ports;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      return bad("missing ']'");
    address = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    auto colon = rest.find(':');
    auto prefix = rest.substr(0, colon);
    if (colon != std::string_view::npos)
      ports = rest.substr(colon + 1);
    if (!prefix.empty()) {
      if (prefix.front() != '/')
        return bad("expected '/<prefix>' after ']'");
      if (!twin::parse_number(prefix.substr(1), result.prefix)
          || result.prefix > 128)
        return bad("IPv6 prefix must be 0..128");
    } else {
      result.prefix = 128;
    }
  } else {
    auto colon = text.find(':');
    auto net = text.substr(0, colon);
    if (colon != std::string_view::npos)
      ports = text.substr(colon + 1);
    auto slash = net.find('/');
    address = net.substr(0, slash);
    result.prefix = 32;
    if (slash != std::string_view::npos
        && (!twin::parse_number(net.substr(slash + 1), result.prefix)
            || result.prefix > 32))
      return bad("IPv4 prefix must be 0..32");
    result.prefix += 96;
  }
  auto ip = parse_ip_literal(address);
  if (!ip)
    return bad("not an IP address: '" + std::string{address} + "'");
  result.base = *ip;
  if (!ports.empty()) {
    auto dash = ports.find('-');
    auto lo = ports.substr(0, dash);
    auto hi = dash == std::string_view::npos ? lo : ports.substr(dash + 1);
    if (!twin::parse_number(lo, result.port_min)
        || !twin::parse_number(hi, result.port_max) || result.port_min == 0
        || result.port_min > result.port_max)
      return bad("ports must be N or N-M within 1..65535");
  }
  return result;
}

caf::expected<endpoint_url> parse_endpoint(std::string_view uri) {
  if (uri.size() > max_uri_length)
    return bad("endpoint longer than " + std::to_string(max_uri_length)
               + " characters");
  // Bytes from '!' to '~' only: a space, CR or LF would end the request
  // line and start a header of the caller's choosing.
  if (!std::all_of(uri.begin(), uri.end(),
                   [](char c) { return c > ' ' && c < 0x7f; }))
    return bad("endpoint holds spaces, control or non-ASCII characters; "
               "percent-encode them");
  endpoint_url result;
  auto sep = uri.find("://");
  if (sep == std::string_view::npos)
    return bad("endpoint must be http://host[:port]/path or "
               "mqtt://host[:port]/topic");
  result.scheme = std::string{uri.substr(0, sep)};
  uint16_t default_port = 0;
  if (result.scheme == "http")
    default_port = 80;
  else if (result.scheme == "mqtt")
    default_port = 1883;
  else
    return bad("endpoint scheme must be http or mqtt");
  auto rest = uri.substr(sep + 3);
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos)
    result.target = std::string{rest.substr(slash)};
  if (authority.find('@') != std::string_view::npos)
    return bad("endpoint must not carry user information");
  if (result.target.find_first_of("#") != std::string::npos)
    return bad("endpoint must not carry a fragment");
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return bad("endpoint host: missing ']'");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return bad("endpoint: unexpected text after ']'");
      port = after.substr(1);
    }
    result.literal = parse_ip_literal(host);
    if (!result.literal || host.find(':') == std::string_view::npos)
      return bad("endpoint host: not an IPv6 address");
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty())
        return bad("endpoint port is empty");
    }
    result.literal = parse_ip_literal(host);
    if (!result.literal && !valid_dns_name(host))
      return bad("endpoint host must be a DNS name or a canonical IP "
                 "address");
  }
  result.host = std::string{host};
  result.port = default_port;
  if (!port.empty()) {
    unsigned value = 0;
    if (!std::all_of(port.begin(), port.end(),
                     [](char c) { return c >= '0' && c <= '9'; })
        || port.size() > 5 || !twin::parse_number(port, value) || value == 0
        || value > 65535)
      return bad("endpoint port must be 1..65535");
    result.port = static_cast<uint16_t>(value);
  }
  if (result.scheme == "http" && result.target.empty())
    result.target = "/";
  if (result.scheme == "mqtt"
      && result.target.find_first_of("+#") != std::string::npos)
    return bad("an MQTT endpoint topic must not hold wildcards");
  return result;
}

outbound_policy::outbound_policy(std::vector<allowed_network> allow,
                                 std::vector<uint16_t> own_ports)
    : allow_(std::move(allow)), own_ports_(std::move(own_ports)) {
}

caf::error outbound_policy::check(const ip_address& a, uint16_t port) const {
  auto kind = classify(a);
  if (kind == address_class::public_address)
    return {};
  // The server's own ports stay out of reach even where the tenants file
  // opens the loopback network to a tenant's receivers.
  if (std::find(own_ports_.begin(), own_ports_.end(), port)
      != own_ports_.end())
    return make_problem(broker_errc::bad_request_data,
                        "endpoint is one of this server's own ports");
  if (kind != address_class::multicast && kind != address_class::unspecified)
    for (const auto& net : allow_)
      if (same_prefix(a, net.base, net.prefix) && port >= net.port_min
          && port <= net.port_max)
        return {};
  return make_problem(broker_errc::bad_request_data,
                      "endpoint address is " + std::string{to_string(kind)}
                          + " and not allowed for this tenant");
}

caf::expected<endpoint_url>
outbound_policy::check_endpoint(std::string_view uri) const {
  auto url = parse_endpoint(uri);
  if (!url)
    return url;
  if (url->literal)
    if (auto err = check(*url->literal, url->port))
      return err;
  return url;
}

} // namespace citytwin::broker
