// actors/cluster_map.cpp
#include "actors/cluster_map.hpp"

#include "twin/fnv1a.hpp"

namespace citytwin::actors {

const cluster_node* cluster_map::node_named(std::string_view name) const {
  for (const auto& n : nodes)
    if (n.name == name)
      return &n;
  return nullptr;
}

uint64_t cluster_map::fingerprint() const {
  twin::fnv1a h;
  h.number(version);
  h.text(city);
  h.number(num_shards);
  h.number(nodes.size());
  for (const auto& n : nodes) {
    h.text(n.name);
    h.text(n.host);
    h.number(n.port);
    h.number(n.shards.size());
    for (auto s : n.shards)
      h.number(s);
  }
  return h.value();
}

} // namespace citytwin::actors
