// fuzz/cluster_file_fuzz.cpp: a cluster file (adapters/cluster/cluster_file,
// format data/cluster/README.md) and, on an accepted map, the hello each
// node would send and every peer's check of it (actors/cluster_node).
// Whatever the text: a map or a report, never a crash; an accepted map
// gives every shard exactly one node and every node's hello is accepted
// by every other node of the map.
#include "actors/cluster_node.hpp"
#include "adapters/cluster/cluster_file.hpp"
#include "fuzz_input.hpp"

#include <cstdlib>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto map = cluster::parse_cluster_file(fuzz::as_text(data, size),
                                         "fuzz.yaml");
  if (!map)
    return 0;
  if (map->owner.size() != map->num_shards || map->nodes.empty())
    std::abort();
  size_t hosted = 0;
  for (uint32_t n = 0; n < map->nodes.size(); ++n)
    for (auto s : map->nodes[n].shards) {
      if (s >= map->num_shards || map->owner[s] != n)
        std::abort();
      ++hosted;
    }
  if (hosted != map->num_shards)
    std::abort();
  for (const auto& from : map->nodes)
    for (const auto& to : map->nodes) {
      auto peer = actors::check_hello(actors::cluster_hello(*map, from.name),
                                      *map, to.name);
      if (from.name == to.name ? bool{peer} : (!peer || *peer != from.name))
        std::abort();
    }
  return 0;
}
