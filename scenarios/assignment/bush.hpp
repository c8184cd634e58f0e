// scenarios/assignment/bush.hpp
#pragma once

#include "scenarios/assignment/loaded_links.hpp"
#include "scenarios/assignment/network.hpp"
#include "scenarios/assignment/od_matrix.hpp"
#include "scenarios/assignment/shortest_path_tree.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace citytwin::scenarios::assignment {

/// Scratch arrays shared by all bushes of one solver, so that a bush stores
/// only its own topology and flows. Arrays indexed by node or link are kept
/// in their neutral state (-1, 0) between calls.
struct bush_workspace {
  bush_workspace() = default;

  explicit bush_workspace(const network& net);

  // Indexed by position in a bush's topological order.
  std::vector<double> min_label;
  std::vector<double> max_label;
  std::vector<std::int32_t> min_approach;
  std::vector<std::int32_t> max_approach;
  std::vector<double> node_flow;
  // Indexed by node.
  std::vector<std::int32_t> position;
  std::vector<std::int32_t> indegree;
  // Indexed by link.
  std::vector<std::uint8_t> marked;
  std::vector<double> link_flow;
  // Work lists.
  std::vector<node_id> queue;
  std::vector<std::int32_t> long_segment;
  std::vector<std::int32_t> short_segment;
};

/// The acyclic subnetwork used by one origin's flow (Dial's Algorithm B).
///
/// Nodes are kept in topological order; node `order[k]` owns the approaches
/// (incoming bush links) `first[k] .. first[k+1]-1`, each with its link id,
/// the position of its tail and this origin's flow on it. Scans and flow
/// shifts therefore walk plain arrays and never look at nodes outside the
/// bush.
class bush {
public:
  /// Builds the shortest-path tree from `origin` at the current costs and
  /// loads the origin's demand on it (all-or-nothing), updating `links`.
  /// @pre every destination in `demand` is reachable from `origin`.
  static bush load_initial(const network& net, node_id origin,
                           std::span<const od_entry> demand,
                           loaded_links& links, shortest_path_tree& tree,
                           bush_workspace& ws);

  /// Drops unused links (keeping the shortest-path tree so every node stays
  /// reachable), adds shortcut links and re-sorts. Returns the number of
  /// links added.
  std::int32_t update_topology(const network& net, const loaded_links& links,
                               bush_workspace& ws);

  /// One descending pass of Newton flow shifts from the longest used to the
  /// shortest path segment at every merge node, updating `links`. Returns
  /// this origin's excess cost, the sum over destinations of demand times
  /// (longest used - shortest bush path cost), measured before the pass.
  double shift_flows(loaded_links& links, bush_workspace& ws);

  /// Largest flow imbalance (inflow - outflow - demand) at any bush node;
  /// zero up to rounding if flow shifts conserve flow, as they must.
  double conservation_error(bush_workspace& ws) const;

  /// Adds this origin's link flows to `flows` (indexed by link).
  void add_flows(std::span<double> flows) const;

  node_id origin() const noexcept {
    return origin_;
  }

  /// Number of links in the bush.
  std::size_t num_links() const noexcept {
    return in_link_.size();
  }

  /// Heap bytes held by this bush.
  std::size_t memory_bytes() const noexcept;

private:
  /// Labels every position with the shortest bush path cost (`min_label`,
  /// `min_approach`) and the longest used path cost (`max_label`,
  /// `max_approach`; -inf and -1 where no flow arrives).
  void scan(std::span<const double> cost, bush_workspace& ws) const;

  /// Rebuilds order and approaches from the links marked in `ws.marked`
  /// (their flows in `ws.link_flow`), then clears those marks.
  void rebuild(const network& net, bush_workspace& ws);

  /// Moves flow between the two segments ending at position `k`.
  void newton_shift(std::int32_t k, loaded_links& links, bush_workspace& ws);

  struct pas_estimate;

  /// Fills `ws.long_segment` and `ws.short_segment` with the approaches of
  /// the PAS ending at position `k`: the shortest segment along the
  /// shortest-path tree, the longest along the longest used one, with
  /// flatter_approach's detours if `flatter`. False if there is no PAS.
  bool find_segments(std::int32_t k, bool flatter,
                     std::span<const double> cost,
                     std::span<const double> derivative,
                     pas_estimate& estimate, bush_workspace& ws) const;

  /// The Newton step between the segments in `ws`; false if their costs
  /// are equal within the tolerance (no flow moved).
  bool shift_segments(loaded_links& links, bush_workspace& ws);

  /// Running estimate of a PAS while its segments are walked back: the cost
  /// difference still expected, the curvature collected so far and the
  /// smallest flow on the longest segment so far; whether it left the
  /// longest-path tree anywhere.
  struct pas_estimate {
    double difference = 0;
    double curvature = 0;
    double flow = 0;
    bool detoured = false;
  };

  /// The approach of position `k` that the longest segment takes: the
  /// scan's longest used one, or a flatter used approach (smaller cost
  /// derivative) if that promises `defaults::flat_approach_gain` times the
  /// objective decrease for the Newton step (`difference^2 / (2 curvature)`,
  /// or linear where the step is clamped by the flow). Never `excluded`
  /// (the shortest segment's approach at the merge node). Updates
  /// `estimate`.
  ///
  /// Why: where a node's used approaches cost (nearly) the same, the scan
  /// picks one by rounding noise or stale labels. A steep pick (derivative
  /// 1e3) beside a flat one (a b = 0 connector) makes the Newton step tiny,
  /// and the node's own next shift undoes it: the shifts zig-zag and
  /// Algorithm B stalls (issue 14). The flatter approach moves flow the way
  /// both shifts together would.
  std::int32_t flatter_approach(std::int32_t k, std::int32_t excluded,
                                std::span<const double> cost,
                                std::span<const double> derivative,
                                pas_estimate& estimate,
                                const bush_workspace& ws) const;

  node_id origin_ = 0;
  std::vector<node_id> order_;
  std::vector<std::int32_t> first_;
  std::vector<link_id> in_link_;
  std::vector<std::int32_t> in_tail_;
  std::vector<double> in_flow_;
  /// Demand of the origin by destination node (sparse).
  std::vector<od_entry> demand_;
  /// Position of each `demand_` destination in `order_`.
  std::vector<std::int32_t> demand_position_;
};

} // namespace citytwin::scenarios::assignment
