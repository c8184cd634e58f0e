// actors/spawn_twin.hpp
#pragma once

#include "actors/directory.hpp"
#include "actors/interfaces.hpp"
#include "twin/city.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <array>
#include <memory>
#include <vector>

namespace citytwin::actors {

/// How to lay out a twin on this node.
struct twin_config {
  twin_config(size_t shards = 0, size_t spawn_threads = 0)
    : shards(shards), spawn_threads(spawn_threads) {
  }

  /// Shards, each with one ROUTER and one PUBLISHER; 0 = one per scheduler
  /// worker thread.
  size_t shards = 0;
  /// Threads spawning entity actors at boot; 0 = defaults::spawn_threads.
  size_t spawn_threads = 0;
  /// The shards this node hosts (a cluster, issue 15), by shard; empty:
  /// all of them. Only their entities, ROUTERs and PUBLISHERs are spawned
  /// here; the others' come from their nodes (`attach_remote_shards`).
  std::vector<bool> hosted;

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
  /// On a cluster, by shard: the SHARD LINK that is `routers[i]`, which
  /// follows the shard wherever it runs.
  std::vector<shard_link_actor> links;
  /// On a cluster: the ROUTERs of this node's own shards (behind links).
  std::vector<router_actor> own_routers;
  /// By index_of(kind): one above the city's highest number of that kind,
  /// where numbers of entities created at runtime start. From the whole
  /// city, so every node of a cluster numbers alike.
  std::array<uint32_t, twin::num_entity_kinds> next_number{};
  /// By shard: true where its ROUTER and PUBLISHER run on this node
  /// (always, unless the twin spans a cluster).
  std::vector<bool> hosted;

  /// True if shard `i` runs on this node.
  bool hosts(size_t i) const {
    return i < hosted.size() && hosted[i];
  }
};

/// Spawns one ENTITY actor per entity of `c` (lazily initialised, from
/// several threads), the shards' ROUTERs and PUBLISHERs, and the TWIN;
/// with `config.hosted`, only what those shards need, and no TWIN until
/// `attach_remote_shards` has the rest.
/// Called from outside any actor: it takes seconds for millions of
/// entities and must not block a scheduler thread.
caf::expected<twin_handles> spawn_twin(caf::actor_system& sys,
                                       const twin::city& c,
                                       const twin_config& config = {});

/// The actors of some shards of a twin, spawned from their entities'
/// states.
struct shard_actors {
  std::vector<uint32_t> shards;
  std::vector<router_actor> routers;       ///< by position in `shards`
  std::vector<publisher_actor> publishers; ///< by position in `shards`
  std::shared_ptr<const directory> entities;
};

/// Spawns one ENTITY per state (each in one of `shards` of `num_shards`;
/// lazily initialised, from `spawn_threads` threads, 0 = the default)
/// and each shard's ROUTER and PUBLISHER; commands are audited in
/// `audit`. From outside any actor or from a thread of its own (never a
/// scheduler thread): it takes seconds for millions of entities.
shard_actors spawn_shards(caf::actor_system& sys,
                          std::vector<twin::entity_state> states,
                          const std::vector<uint32_t>& shards,
                          size_t num_shards, const audit_actor& audit,
                          const std::string& city, size_t spawn_threads = 0);

/// The shards this node hosts, as peers of a cluster ask for them.
shard_handles hosted_shards(const twin_handles& twin, std::string node);

/// Completes a twin that spans a cluster with the shards its peers host
/// (`remote`, as they answered) and spawns its TWIN, which from then on
/// routes every reading, command, query and subscription to the shard's
/// ROUTER or PUBLISHER, here or on its node (through a SHARD LINK, which
/// follows the shard when it moves). Returns the shards of this node that
/// peers ran while it was down (`take_back_shards` in actors/standby).
/// errc::invalid_config if a shard is still missing or claimed by two
/// peers; nothing is spawned then.
caf::expected<std::vector<shard_handles>>
attach_remote_shards(caf::actor_system& sys, twin_handles& twin,
                     const std::string& city,
                     const std::vector<shard_handles>& remote);

/// Stops a twin in order, from outside any actor: the TWIN, ROUTERs and
/// PUBLISHERs exit, this waits until they have, and then releases the
/// entity actors on the calling thread. Call it before the actor system
/// goes away; CAF 0.17.6 deadlocks if its clock thread ends up destroying
/// many actors at once.
void stop_twin(caf::actor_system& sys, twin_handles& twin);

} // namespace citytwin::actors
