// scenarios/assignment/network.hpp
#pragma once

#include "scenarios/assignment/parse_error.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace citytwin::scenarios::assignment {

/// Node index (0-based; TNTP node id minus one).
using node_id = std::int32_t;

/// Link index (0-based, in the order of the net file).
using link_id = std::int32_t;

/// One directed link with its BPR parameters, as read from a TNTP net file.
struct link_record {
  node_id from = 0;
  node_id to = 0;
  double capacity = 0;
  double length = 0;
  double free_flow_time = 0;
  double b = 0;
  double power = 0;
  double toll = 0;
  std::int32_t link_type = 0;
};

/// A compact, immutable-topology road network in forward- and reverse-star
/// (CSR) form, laid out for fast shortest paths and bush scans.
///
/// Nodes `0 .. num_zones-1` are zones (centroids). Zones below the first
/// through node may start and end paths but never lie inside one. Only link
/// attributes (capacity) may change after construction; the topology is fixed
/// so that bushes built on it stay valid for warm starts.
class network {
public:
  network() = default;

  /// Builds the star arrays; returns errors for links whose endpoints lie
  /// outside `0 .. num_nodes-1` or whose attributes are invalid.
  /// @param first_thru_node 0-based index of the first passable node.
  static result<network> build(std::int32_t num_nodes, std::int32_t num_zones,
                               node_id first_thru_node,
                               std::vector<link_record> links,
                               const std::string& origin_name = "network");

  std::int32_t num_nodes() const noexcept {
    return num_nodes_;
  }

  std::int32_t num_links() const noexcept {
    return static_cast<std::int32_t>(links_.size());
  }

  std::int32_t num_zones() const noexcept {
    return num_zones_;
  }

  node_id first_thru_node() const noexcept {
    return first_thru_node_;
  }

  const std::vector<link_record>& links() const noexcept {
    return links_;
  }

  const link_record& at(link_id id) const {
    return links_[static_cast<std::size_t>(id)];
  }

  /// True if a path may continue through `node` (zones below the first
  /// through node are endpoints only).
  bool passable(node_id node) const noexcept {
    return node >= first_thru_node_;
  }

  /// Links leaving `node`, as link ids.
  std::span<const link_id> out_links(node_id node) const noexcept {
    auto n = static_cast<std::size_t>(node);
    return {out_links_.data() + out_first_[n],
            out_links_.data() + out_first_[n + 1]};
  }

  /// Head node of each link in `out_links(node)`, in the same order.
  std::span<const node_id> out_heads(node_id node) const noexcept {
    auto n = static_cast<std::size_t>(node);
    return {out_heads_.data() + out_first_[n],
            out_heads_.data() + out_first_[n + 1]};
  }

  /// Links entering `node`, as link ids.
  std::span<const link_id> in_links(node_id node) const noexcept {
    auto n = static_cast<std::size_t>(node);
    return {in_links_.data() + in_first_[n],
            in_links_.data() + in_first_[n + 1]};
  }

  /// Tail node of each link in `in_links(node)`, in the same order.
  std::span<const node_id> in_tails(node_id node) const noexcept {
    auto n = static_cast<std::size_t>(node);
    return {in_tails_.data() + in_first_[n],
            in_tails_.data() + in_first_[n + 1]};
  }

  /// Changes one link's capacity (a closure is a tiny capacity).
  /// @pre `capacity > 0`
  void set_capacity(link_id id, double capacity) {
    links_[static_cast<std::size_t>(id)].capacity = capacity;
  }

  /// Returns the link from `from` to `to`, or -1 if there is none (the first
  /// one if the network has parallel links).
  link_id find_link(node_id from, node_id to) const noexcept;

private:
  std::int32_t num_nodes_ = 0;
  std::int32_t num_zones_ = 0;
  node_id first_thru_node_ = 0;
  std::vector<link_record> links_;
  std::vector<std::int32_t> out_first_;
  std::vector<link_id> out_links_;
  std::vector<node_id> out_heads_;
  std::vector<std::int32_t> in_first_;
  std::vector<link_id> in_links_;
  std::vector<node_id> in_tails_;
};

} // namespace citytwin::scenarios::assignment
