// scenarios/assignment/network.cpp
#include "scenarios/assignment/network.hpp"

#include <cmath>

namespace citytwin::scenarios::assignment {

namespace {

/// Fills a CSR index: `first[n]..first[n+1]` are the positions of the links
/// keyed to node n, in link order (a stable counting sort keeps the result
/// deterministic and matches the file order within each node).
void build_star(std::int32_t num_nodes, const std::vector<link_record>& links,
                bool by_tail, std::vector<std::int32_t>& first,
                std::vector<link_id>& ids) {
  first.assign(static_cast<std::size_t>(num_nodes) + 1, 0);
  for (const auto& l : links)
    ++first[static_cast<std::size_t>(by_tail ? l.from : l.to) + 1];
  for (std::size_t n = 0; n < static_cast<std::size_t>(num_nodes); ++n)
    first[n + 1] += first[n];
  ids.assign(links.size(), 0);
  auto next = first;
  for (std::size_t i = 0; i < links.size(); ++i) {
    auto key = static_cast<std::size_t>(by_tail ? links[i].from : links[i].to);
    ids[static_cast<std::size_t>(next[key]++)] = static_cast<link_id>(i);
  }
}

std::string link_label(std::size_t index, const link_record& l) {
  return "link " + std::to_string(index + 1) + " (" + std::to_string(l.from + 1)
         + "," + std::to_string(l.to + 1) + ")";
}

} // namespace

result<network> network::build(std::int32_t num_nodes, std::int32_t num_zones,
                               node_id first_thru_node,
                               std::vector<link_record> links,
                               const std::string& origin_name) {
  std::vector<parse_error> errors;
  auto fail = [&](std::string message) {
    errors.push_back({origin_name, 0, std::move(message)});
  };
  if (num_nodes <= 0)
    fail("number of nodes must be positive");
  if (num_zones < 0 || num_zones > num_nodes)
    fail("number of zones must lie in 0..number of nodes");
  if (first_thru_node < 0 || first_thru_node > num_zones)
    fail("first through node must lie in 1..number of zones+1");
  for (std::size_t i = 0; i < links.size(); ++i) {
    const auto& l = links[i];
    if (l.from < 0 || l.from >= num_nodes || l.to < 0 || l.to >= num_nodes)
      fail(link_label(i, l) + ": unknown node");
    // BPR needs capacity > 0 and non-negative parameters for the cost to be
    // increasing and finite; equilibrium uniqueness rests on that.
    if (!(l.capacity > 0) || !std::isfinite(l.capacity))
      fail(link_label(i, l) + ": capacity must be positive");
    if (l.free_flow_time < 0 || l.b < 0 || l.power < 0 || l.length < 0)
      fail(link_label(i, l) + ": negative free-flow time, b, power or length");
  }
  if (!errors.empty())
    return errors;
  network result_network;
  result_network.num_nodes_ = num_nodes;
  result_network.num_zones_ = num_zones;
  result_network.first_thru_node_ = first_thru_node;
  result_network.links_ = std::move(links);
  build_star(num_nodes, result_network.links_, true,
             result_network.out_first_, result_network.out_links_);
  build_star(num_nodes, result_network.links_, false,
             result_network.in_first_, result_network.in_links_);
  // Endpoints beside the link ids: hot loops then read contiguous memory
  // instead of whole link records.
  for (auto id : result_network.out_links_)
    result_network.out_heads_.push_back(
      result_network.links_[static_cast<std::size_t>(id)].to);
  for (auto id : result_network.in_links_)
    result_network.in_tails_.push_back(
      result_network.links_[static_cast<std::size_t>(id)].from);
  return result_network;
}

link_id network::find_link(node_id from, node_id to) const noexcept {
  if (from < 0 || from >= num_nodes_)
    return -1;
  for (auto id : out_links(from))
    if (links_[static_cast<std::size_t>(id)].to == to)
      return id;
  return -1;
}

} // namespace citytwin::scenarios::assignment
