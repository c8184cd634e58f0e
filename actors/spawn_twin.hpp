// actors/spawn_twin.hpp
#pragma once

#include "actors/directory.hpp"
#include "actors/interfaces.hpp"
#include "twin/city.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <memory>
#include <vector>

namespace citytwin::actors {

/// How to lay out a twin on this node.
struct twin_config {
  /// Shards, each with one ROUTER and one PUBLISHER; 0 = one per scheduler
  /// worker thread.
  size_t shards = 0;
  /// Threads spawning entity actors at boot; 0 = defaults::spawn_threads.
  size_t spawn_threads = 0;

  /// errc::invalid_config for values that make no sense.
  caf::error validate() const;
};

/// The actors of a running twin. Adapters that ingest at high rates send
/// to the routers directly, each reading to `routers[shard_of(id, n)]`
/// (see shard.hpp); everything else talks to `front`.
struct twin_handles {
  twin_actor front;
  std::vector<router_actor> routers;
  std::vector<publisher_actor> publishers;
  std::shared_ptr<const directory> entities;
  /// Who changed what: the ROUTERs record every command's outcome here.
  audit_actor audit;
};

/// Spawns one ENTITY actor per entity of `c` (lazily initialised, from
/// several threads), the shards' ROUTERs and PUBLISHERs, and the TWIN.
/// Called from outside any actor: it takes seconds for millions of
/// entities and must not block a scheduler thread.
caf::expected<twin_handles> spawn_twin(caf::actor_system& sys,
                                       const twin::city& c,
                                       const twin_config& config = {});

/// Stops a twin in order, from outside any actor: the TWIN, ROUTERs and
/// PUBLISHERs exit, this waits until they have, and then releases the
/// entity actors on the calling thread. Call it before the actor system
/// goes away; CAF 0.17.6 deadlocks if its clock thread ends up destroying
/// many actors at once.
void stop_twin(caf::actor_system& sys, twin_handles& twin);

} // namespace citytwin::actors
