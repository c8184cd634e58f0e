// actors/cluster_node.hpp
#pragma once

// Joining a cluster (issue 15): each node publishes its CLUSTER NODE on
// its cluster port through CAF's network layer (the io middleman) and
// asks every peer to accept it. A peer accepts only a node of its own map
// (same fingerprint), of the same software and with the same message
// types, so a node with another map, another build or another type-ID
// block is refused at join time, never half-way through a message.

#include "actors/cluster_map.hpp"
#include "actors/interfaces.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::actors {

/// Nodes send each other a heartbeat this often; a peer that has not
/// answered for `cluster_peer_timeout` counts as down until it answers
/// again (the issue asks for a dead node to be seen within 2 s).
inline constexpr auto cluster_heartbeat_every = std::chrono::milliseconds(250);
inline constexpr auto cluster_peer_timeout = std::chrono::milliseconds(1500);

/// Fingerprint of citytwin's type-ID block: the name of every message
/// type, in ID order (actors/type_ids.hpp).
uint64_t message_types_fingerprint();

/// What node `self` says about itself when it joins: one line of text, so
/// the first message needs nothing a stranger might not share:
/// `citytwin-cluster 1 node=NAME map=HEX version=N types=HEX software=V`.
std::string cluster_hello(const cluster_map& map, std::string_view self);

/// Checks a peer's hello against `map` as node `self` sees it: a node of
/// the map other than `self`, the same map fingerprint and version, the
/// same message types and software. Hellos are at most 1 KiB. On success
/// the peer's name.
caf::expected<std::string> check_hello(std::string_view hello,
                                       const cluster_map& map,
                                       std::string_view self);

/// Spawns the CLUSTER NODE of `self` in `map`: it accepts or refuses the
/// peers that join (and counts both), and once `join_cluster` has handed
/// it the peers that accepted it, sends them heartbeats and marks the
/// silent ones down (`get_atom`: its view, for /api/status).
cluster_node_actor spawn_cluster_node(caf::actor_system& sys,
                                      std::shared_ptr<const cluster_map> map,
                                      std::string self);

/// What joining found.
struct cluster_join {
  uint16_t port = 0;              ///< where this node listens
  std::vector<std::string> peers; ///< every other node, as they accepted
};

/// From outside any actor (it waits): publishes `node` at `self`'s
/// address and asks every other node of `map` to accept `self`, retrying
/// a peer that does not answer yet until `wait` has passed. Errors, each
/// naming the node: an address taken, a peer unreachable after `wait`, a
/// peer that refuses (other map, software or message types).
caf::expected<cluster_join> join_cluster(caf::actor_system& sys,
                                         const cluster_node_actor& node,
                                         const cluster_map& map,
                                         std::string_view self,
                                         std::chrono::milliseconds wait);

} // namespace citytwin::actors
