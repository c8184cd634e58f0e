// actors/cluster_map.hpp
#pragma once

// Which node of a cluster hosts which shard of the twin (issue 15): the
// map every node must agree on before it joins. Plain data; the cluster
// file (adapters/cluster) is one way to write it down.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::actors {

/// One process of a cluster.
struct cluster_node {
  std::string name; ///< unique in the cluster: [a-z0-9_-], at most 32
  std::string host; ///< where its cluster port listens
  uint16_t port = 0;
  std::vector<uint32_t> shards; ///< the shards it hosts, ascending
};

/// The shard map of a cluster. `version` goes up with every change to it,
/// so two nodes can tell an old map from a different one.
struct cluster_map {
  uint64_t version = 1;
  std::string city;
  uint32_t num_shards = 0;
  std::vector<cluster_node> nodes;
  /// By shard: the index of its node in `nodes`.
  std::vector<uint32_t> owner;

  /// The node called `name`, or null.
  const cluster_node* node_named(std::string_view name) const;

  /// Identifies the map: equal maps have equal fingerprints, and any
  /// change of version, city, shard count, node, address or assignment
  /// changes it (FNV-1a over all of them, in order).
  uint64_t fingerprint() const;
};

} // namespace citytwin::actors
