// twin/broker/live_entity.hpp
#pragma once

// A live twin entity as the broker holds it: the typed state its actor
// last published, not a JSON document. The JSON an NGSI-LD client sees is
// rendered from it on demand, so the city is held once in full (by its
// actors) and once compactly here (about 150 bytes per entity), instead
// of once more as a rendered document per entity.

#include "twin/broker/geo_shape.hpp"
#include "twin/broker/ngsi_entity.hpp"
#include "twin/entity_state.hpp"
#include "twin/geo.hpp"
#include "twin/wall_clock.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::broker {

/// Where a live entity is: a point, or the polyline of a road segment
/// (allocated only for segments); unknown for entities the twin created
/// at run time from an unbound sensor id.
struct live_geometry {
  twin::geo_point point{};
  std::shared_ptr<const std::vector<twin::geo_point>> line;
  bool known = true;
};

struct live_record {
  twin::entity_state state;
  live_geometry where;
  int64_t created_ms = 0;
  int64_t modified_ms = 0;
  /// Attributes a client added that the twin does not own; usually null.
  std::shared_ptr<const json> extras;
};

/// The camelCase NGSI-LD name of a twin attribute (`speed_limit_kmh` ->
/// `speedLimitKmh`; quantities use their registered names).
std::string ngsi_attribute_name(std::string_view twin_name);

/// The attributes of a live state as normalized NGSI-LD (camelCase names,
/// `observedAt` from the newest reading), without location.
json live_attributes(const twin::entity_state& state);

/// The NGSI-LD names of the live attributes of a kind, sorted (the same
/// for every entity of the kind).
const std::vector<std::string>& live_attribute_names(twin::entity_kind kind);

/// The `location` GeoProperty of a live entity.
json live_location(const live_geometry& where);

/// The geometry as a parsed shape, for geo-queries (`where.known`).
geo_shape live_shape(const live_geometry& where);

/// The whole entity document, as stored entities look: id, type,
/// createdAt, modifiedAt, the live attributes, location (if known) and
/// the extras.
json render_live(const std::string& id, const live_record& record);

// Milliseconds since the epoch, now, from twin's injectable wall clock.
using twin::now_ms;

} // namespace citytwin::broker
