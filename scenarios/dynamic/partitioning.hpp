// scenarios/dynamic/partitioning.hpp
#pragma once

#include "scenarios/dynamic/road_network.hpp"

#include <cstdint>
#include <vector>

namespace citytwin::scenarios::dynamic {

/// Splits the nodes into `num_parts` partitions of about equal work (links
/// entering them), as vertical strips west to east so that few links cross
/// a partition border. Returns the partition of every node.
std::vector<uint32_t> partition_nodes(const road_network& net,
                                      uint32_t num_parts);

} // namespace citytwin::scenarios::dynamic
