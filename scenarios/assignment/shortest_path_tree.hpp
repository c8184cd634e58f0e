// scenarios/assignment/shortest_path_tree.hpp
#pragma once

#include "scenarios/assignment/network.hpp"

#include <limits>
#include <span>
#include <vector>

namespace citytwin::scenarios::assignment {

/// Dijkstra's algorithm with an indexed binary heap on the network's forward
/// star, reusing its buffers across runs (one run per origin per iteration).
///
/// Zones below the first through node are settled but never expanded unless
/// they are the origin: paths may end in a zone but not pass through it.
/// Costs must be non-negative; zero-cost connectors are fine.
class shortest_path_tree {
public:
  static constexpr double unreachable = std::numeric_limits<double>::infinity();

  shortest_path_tree() = default;

  explicit shortest_path_tree(std::int32_t num_nodes);

  /// Computes the tree rooted at `origin` for the given link costs. If
  /// `targets` is not empty, stops as soon as all of them are settled (other
  /// nodes may then keep tentative or `unreachable` distances).
  void run(const network& net, std::span<const double> cost, node_id origin,
           std::span<const node_id> targets = {});

  /// Distance of every node from the origin (`unreachable` if none).
  std::span<const double> distance() const noexcept {
    return distance_;
  }

  /// Tree link into every node (-1 for the origin and unreachable nodes).
  std::span<const link_id> pred_link() const noexcept {
    return pred_link_;
  }

  /// Reached nodes in the order they were settled; for non-negative costs
  /// every node comes after its tree predecessor (a topological order).
  std::span<const node_id> settled() const noexcept {
    return settled_;
  }

private:
  /// Heap entries carry their key so that sifting compares contiguous
  /// memory instead of chasing `distance_`.
  struct entry {
    double key;
    node_id node;
  };

  void push_or_decrease(node_id node, double key);
  node_id pop();
  void sift_up(std::size_t slot, entry moving);
  void sift_down(std::size_t slot, entry moving);

  std::vector<double> distance_;
  std::vector<link_id> pred_link_;
  std::vector<node_id> settled_;
  /// Every node given a distance by the last run (to reset them).
  std::vector<node_id> touched_;
  std::vector<std::uint8_t> is_target_;
  std::vector<entry> heap_;
  /// Heap slot of each node; `not_queued` or `done` otherwise.
  std::vector<std::int32_t> slot_;
};

} // namespace citytwin::scenarios::assignment
