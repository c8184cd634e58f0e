// adapters/broker/twin_mirror.hpp
#pragma once

// The live twin inside the broker: every entity of the city is an NGSI-LD
// entity of the city's tenant. The MIRROR, a SUBSCRIBER of the twin, turns
// deltas into entity changes (so subscriptions fire on live readings), and
// the live writer turns NGSI-LD writes of measured attributes into twin
// readings (so the twin stays the one owner of live state).

#include "actors/interfaces.hpp"
#include "actors/spawn_twin.hpp"
#include "twin/broker/live_entity.hpp"
#include "adapters/broker/tenant_space.hpp"
#include "twin/city.hpp"
#include "twin/entity_state.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

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
/// does not accept or a value that is not a number.
live_writer make_live_writer(std::vector<actors::router_actor> routers);

struct twin_mirror_state {
  static inline const char* name = "broker-mirror";
  tenant_space* space = nullptr;
  std::string city;
  uint64_t num_deltas = 0;

  void handle(const twin::delta_batch& batch);
};

/// The behavior of the MIRROR.
actors::subscriber_actor::behavior_type
twin_mirror(actors::subscriber_actor::stateful_pointer<twin_mirror_state> self,
            tenant_space* space, std::string city);

/// Unsubscribes the MIRROR and stops it at once, whatever its backlog
/// (blocks until it is gone: call at shutdown, outside actors).
void detach_twin(caf::actor_system& sys, const actors::twin_actor& twin,
                 actors::subscriber_actor& mirror);

/// Spawns the MIRROR and subscribes it to the twin (waits for the twin's
/// answer: call at start-up, outside actors). The space must hold the
/// city's live entities already (`seed_live_entities`), which needs no
/// actors, so a server seeds it while the twin spawns.
caf::expected<actors::subscriber_actor>
attach_twin(caf::actor_system& sys, const actors::twin_handles& twin,
            tenant_space& space, const twin::city& c);

} // namespace citytwin::broker
