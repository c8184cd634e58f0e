// scenarios/assignment/tntp_reader.hpp
#pragma once

#include "scenarios/assignment/network.hpp"
#include "scenarios/assignment/od_matrix.hpp"
#include "scenarios/assignment/parse_error.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace citytwin::scenarios::assignment {

/// One row of a TNTP `_flow` file (best-known solution): link volume and
/// generalised cost at that volume.
struct link_flow {
  node_id from = 0;
  node_id to = 0;
  double volume = 0;
  double cost = 0;
};

/// One row of a TNTP `_node` file. Coordinate units differ per network.
struct node_position {
  node_id node = 0;
  double x = 0;
  double y = 0;
};

/// Reads a TNTP net file (`<name>_net.tntp`).
///
/// Columns are mapped from the `~` header line (standard TNTP order if there
/// is none); `speed`, `toll` and `link_type` are optional. Every problem is
/// reported with file and line: unknown nodes, non-numeric fields, short
/// records, non-positive capacity, negative parameters, and a link count
/// that disagrees with `<NUMBER OF LINKS>`.
result<network> read_network(const std::filesystem::path& net_file);

/// Reads a TNTP trips file (`<name>_trips.tntp`).
///
/// @param network_zones if set, zones above this number are unknown too
///        (the trips and net files of one network must agree).
/// A sum of demand that disagrees with `<TOTAL OD FLOW>` (relative 1e-6) is
/// reported as a truncated file.
result<od_matrix>
read_trips(const std::filesystem::path& trips_file,
           std::optional<std::int32_t> network_zones = std::nullopt);

/// Reads a TNTP flow file (`<name>_flow.tntp`, header `From To Volume Cost`).
result<std::vector<link_flow>>
read_flows(const std::filesystem::path& flow_file);

/// Reads a TNTP node file (`<name>_node.tntp`, header `Node X Y`).
result<std::vector<node_position>>
read_nodes(const std::filesystem::path& node_file);

} // namespace citytwin::scenarios::assignment
