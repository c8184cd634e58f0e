// adapters/cluster/cluster_file.hpp
#pragma once

// Reads a cluster file (YAML, format: data/cluster/README.md) into the
// shard map of actors/cluster_map.hpp. Startup input: every problem is
// reported at once, one `origin:line: message` per line, in an
// `invalid_config` error; nodes claiming the same shard, shards nobody
// hosts, two nodes on one address are refused here, before any node joins.

#include "actors/cluster_map.hpp"

#include <caf/expected.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace citytwin::cluster {

/// Largest cluster file read: a few lines per node; anything larger is a
/// mistake.
constexpr size_t max_cluster_file_bytes = 64 * 1024;

/// At most this many nodes and shards.
constexpr size_t max_cluster_nodes = 64;
constexpr uint32_t max_cluster_shards = 4096;

/// Parses YAML text; `origin` names it in messages.
caf::expected<actors::cluster_map> parse_cluster_file(std::string_view text,
                                                      std::string_view origin);

/// Reads and parses the file at `path` (refused unread when larger than
/// `max_cluster_file_bytes`; `io_failure` if it cannot be read).
caf::expected<actors::cluster_map> load_cluster_file(const std::string& path);

} // namespace citytwin::cluster
