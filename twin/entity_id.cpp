// twin/entity_id.cpp
#include "twin/entity_id.hpp"

#include "twin/error.hpp"

#include <charconv>
#include <cstdio>

namespace citytwin::twin {

namespace {

constexpr std::string_view urn_prefix = "urn:ngsi-ld:";

// A city name becomes part of URNs, topics and file names: keep it to
// characters that need no escaping anywhere.
bool valid_city_name(std::string_view name) {
  if (name.empty())
    return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok)
      return false;
  }
  return true;
}

} // namespace

std::string to_urn(entity_id id, std::string_view city) {
  char number[16];
  std::snprintf(number, sizeof(number), "%06u", id.number);
  std::string result;
  result.reserve(48);
  result += urn_prefix;
  result += ngsi_type(id.kind);
  result += ':';
  result += city;
  result += ':';
  result += number;
  return result;
}

caf::expected<qualified_id> parse_urn(std::string_view urn) {
  auto fail = [&](const char* why) {
    return caf::make_error(errc::malformed_id,
                           std::string{why} + ": '" + std::string{urn} + "'");
  };
  if (urn.substr(0, urn_prefix.size()) != urn_prefix)
    return fail("id does not start with urn:ngsi-ld:");
  auto rest = urn.substr(urn_prefix.size());
  auto first = rest.find(':');
  auto last = rest.rfind(':');
  if (first == std::string_view::npos || first == last)
    return fail("expected urn:ngsi-ld:<Type>:<city>:<number>");
  auto type = rest.substr(0, first);
  auto city = rest.substr(first + 1, last - first - 1);
  auto digits = rest.substr(last + 1);
  auto kind = parse_ngsi_type(type);
  if (!kind)
    return caf::make_error(errc::unknown_kind,
                           "unknown entity type '" + std::string{type}
                               + "' in '" + std::string{urn} + "'");
  if (!valid_city_name(city))
    return fail("city name must be letters, digits, '-' or '_'");
  uint32_t number = 0;
  auto [end, ec]
      = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (digits.empty() || ec != std::errc{}
      || end != digits.data() + digits.size())
    return fail("entity number is not an unsigned 32-bit integer");
  return qualified_id{std::string{city}, entity_id{*kind, number}};
}

} // namespace citytwin::twin
