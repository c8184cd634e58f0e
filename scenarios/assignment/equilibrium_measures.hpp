// scenarios/assignment/equilibrium_measures.hpp
#pragma once

#include "scenarios/assignment/loaded_links.hpp"
#include "scenarios/assignment/network.hpp"
#include "scenarios/assignment/od_matrix.hpp"
#include "scenarios/assignment/shortest_path_tree.hpp"

namespace citytwin::scenarios::assignment {

/// How far a link flow pattern is from user equilibrium
/// (notes/simulation.md §2 and §4), all on generalised cost.
struct equilibrium_measures {
  /// Beckmann objective: BPR integrals plus the fixed (toll and distance)
  /// cost counted linearly; the TNTP README objective for SiouxFalls is this
  /// value divided by 1e5.
  double beckmann = 0;
  /// TSTT, total flow times generalised cost.
  double total_cost = 0;
  /// SPTT, total demand times shortest-path cost at the current costs.
  double shortest_path_cost = 0;
  /// TSTT / SPTT - 1 (tap-b's RELATIVE_GAP_1). The note's (TSTT-SPTT)/TSTT
  /// differs by the factor TSTT/SPTT, i.e. by < 1e-12 relative at gap 1e-12.
  double relative_gap = 0;
  /// Total BPR travel time (tolls and distance left out).
  double total_time = 0;
};

/// Measures `links` (flows and costs current) against `demand`, running one
/// shortest-path tree per origin with zones closed to through traffic.
equilibrium_measures measure_equilibrium(const network& net,
                                         const od_matrix& demand,
                                         const loaded_links& links,
                                         shortest_path_tree& tree);

} // namespace citytwin::scenarios::assignment
