// actors/standby.hpp
#pragma once

// Surviving the loss of a node (issue 15): each shard of a cluster is
// backed up by the node after its own in the cluster map, which keeps a
// copy of every entity of it from the shard's deltas. When the node is
// seen down, its backup spawns the shard from the copies and every node's
// SHARD LINK to it moves there, sending again what it routed lately (what
// the dead node may have lost). When the node comes back it takes the
// shard back (a fork of the backup's copy, then the same move), and the
// backup stops its copy.

#include "actors/cluster_map.hpp"
#include "actors/interfaces.hpp"
#include "actors/spawn_twin.hpp"
#include "twin/city.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace citytwin::actors {

/// What a STANDBY needs: the city (entities no delta has reached yet
/// start from their initial state), the map, this node and its twin
/// (every shard's PUBLISHER, the audit, where created numbers start).
struct standby_config {
  std::shared_ptr<const twin::city> city;
  std::shared_ptr<const cluster_map> map;
  std::string self;
  twin_handles twin;
  cluster_node_actor node;
};

/// The shards node `self` backs up in `map`: those of the node before it
/// (the last node backs up the first). None on a single-node map.
std::vector<uint32_t> backed_up_shards(const cluster_map& map,
                                       std::string_view self);

/// Spawns this node's STANDBY, subscribed to the PUBLISHERs of
/// the shards it backs up.
standby_actor spawn_standby(caf::actor_system& sys, standby_config config);

/// From outside any actor, when this node comes back: takes its shards
/// back from the peers that ran them meanwhile (`taken`, as the peers
/// answered): each one's state goes to this node's entity, then every
/// node routes to this node again. How long it took, or the error.
caf::expected<std::chrono::milliseconds>
take_back_shards(caf::actor_system& sys, const twin_handles& twin,
                 const cluster_node_actor& node, const std::string& self,
                 const std::vector<shard_handles>& taken);

} // namespace citytwin::actors
