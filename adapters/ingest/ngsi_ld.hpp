// adapters/ingest/ngsi_ld.hpp
#pragma once

#include "adapters/ingest/reject_reason.hpp"
#include "twin/reading.hpp"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <string_view>
#include <variant>
#include <vector>

namespace citytwin::ingest {

/// Readings found in NGSI-LD entity fragments, and what was dropped.
struct ngsi_readings {
  twin::reading_batch readings;
  std::vector<rejection> rejected;
  size_t num_attributes = 0; ///< attributes that could carry a reading
};

/// Resolves an entity id that is not a twin URN of the city, given the
/// first quantity its fragment carries: the entity, or why there is none.
using unknown_id_resolver = std::function<std::variant<twin::entity_id, rejection>(
  std::string_view id, twin::quantity what)>;

/// Turns NGSI-LD entity fragments (one object or an array of them) into
/// readings. Entity ids are twin URNs of city `city`; any other id is
/// rejected (bad_name, unknown_entity), or, given `unknown`, resolved by
/// it when the fragment carries a quantity. Attributes are
/// quantities by NGSI-LD or snake_case name, in normalized form
/// (`{"type":"Property","value":..,"unitCode":..,"observedAt":..}`),
/// concise form (the same without `type`), multi-instance arrays of those,
/// or keyValues form (`name: number`). Relationships, GeoProperties and
/// `@context` are ignored. A reading without `observedAt` is timed `now`.
ngsi_readings ngsi_to_readings(const nlohmann::json& doc,
                               std::string_view city, twin::time_ms now,
                               const unknown_id_resolver& unknown = {});

} // namespace citytwin::ingest
