// adapters/broker/twin_mirror.hpp
#pragma once

// The live twin inside the broker: every entity of the city is an NGSI-LD
// entity of the city's tenant, seeded here and kept current by its TENANT
// actor (adapters/broker/tenant_actor.hpp); the live writer turns NGSI-LD
// writes of measured attributes into twin readings, so the twin stays the
// one owner of live state.

#include "actors/interfaces.hpp"
#include "actors/spawn_twin.hpp"
#include "twin/broker/live_entity.hpp"
#include "adapters/broker/tenant_space.hpp"
#include "adapters/archive/tenant_archive.hpp"
#include "twin/city.hpp"
#include "twin/entity_state.hpp"

#include <memory>
#include <string>
#include <vector>

namespace citytwin::broker {

/// Puts every entity of `c` with its initial state and location into the
/// space (as live entities).
void seed_live_entities(tenant_space& space, const twin::city& c);

/// Turns NGSI-LD writes of quantity attributes (numeric Property values,
/// `observedAt` optional) into twin readings sent to the entity's ROUTER;
/// returns the other attributes. bad_request_data for a quantity the kind
/// does not accept or a value that is not a number. With `keep`, the
/// readings are journaled first (adapters/archive), so the API's 2xx comes
/// only for kept readings; a reading that cannot be kept (disk full) is a
/// 503 and never reaches the twin.
live_writer make_live_writer(std::vector<actors::router_actor> routers,
                             archive::keep_fn keep = {});

} // namespace citytwin::broker
