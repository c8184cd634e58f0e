// twin/entity_id.hpp
#pragma once

#include "twin/entity_kind.hpp"

#include <caf/expected.hpp>

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace citytwin::twin {

/// Identifies one entity inside one city: its kind and a number that is
/// unique per kind. Eight bytes, so a million of them stay cheap; the URN
/// form (`urn:ngsi-ld:StreetLight:demo:000123`) is made only at the edges.
struct entity_id {
  entity_kind kind = entity_kind::road_segment;
  uint32_t number = 0;

  friend auto operator<=>(const entity_id&, const entity_id&) = default;
};

/// Serializes an id for CAF messages.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entity_id& x) {
  return f(caf::meta::type_name("entity_id"), x.kind, x.number);
}

/// Formats the NGSI-LD URN of an entity of city `city`, zero-padding the
/// number to six digits so that URNs sort like numbers.
std::string to_urn(entity_id id, std::string_view city);

/// An entity id together with the city its URN names.
struct qualified_id {
  std::string city;
  entity_id id;
};

/// Parses `urn:ngsi-ld:<NgsiType>:<city>:<number>`; errc::malformed_id or
/// errc::unknown_kind otherwise.
caf::expected<qualified_id> parse_urn(std::string_view urn);

/// Packs an id into one integer, e.g. for hashing or HDF5 columns.
constexpr uint64_t pack(entity_id id) {
  return (static_cast<uint64_t>(id.kind) << 32) | id.number;
}

/// The id `pack` made `packed` from.
constexpr entity_id unpack(uint64_t packed) {
  return {static_cast<entity_kind>(packed >> 32),
          static_cast<uint32_t>(packed & 0xffffffffu)};
}

} // namespace citytwin::twin

template <>
struct std::hash<citytwin::twin::entity_id> {
  size_t operator()(citytwin::twin::entity_id id) const noexcept {
    return std::hash<uint64_t>{}(citytwin::twin::pack(id));
  }
};
