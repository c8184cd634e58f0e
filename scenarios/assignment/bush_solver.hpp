// scenarios/assignment/bush_solver.hpp
#pragma once

#include "scenarios/assignment/assignment_defaults.hpp"
#include "scenarios/assignment/bush.hpp"
#include "scenarios/assignment/equilibrium_measures.hpp"
#include "scenarios/assignment/loaded_links.hpp"
#include "scenarios/assignment/network.hpp"
#include "scenarios/assignment/od_matrix.hpp"
#include "scenarios/assignment/parse_error.hpp"
#include "scenarios/assignment/shortest_path_tree.hpp"

#include <functional>
#include <limits>
#include <span>
#include <vector>

namespace citytwin::scenarios::assignment {

/// When to stop iterating; the first criterion met wins.
struct solve_options {
  /// Target relative gap (TSTT / SPTT - 1).
  double target_gap = 1e-8;
  /// Wall-clock budget in seconds for this call, gap computations included.
  double max_seconds = std::numeric_limits<double>::infinity();
  /// Iteration budget for this call.
  int max_iterations = 1000;
  /// Flow-shift passes over the origins after each bush update.
  int inner_iterations = defaults::inner_iterations;
  /// In those passes, skip origins whose excess cost (demand-weighted
  /// longest used minus shortest bush path cost) is at most this fraction of
  /// the mean over origins: effort goes where the disequilibrium is. Every
  /// origin is still updated and shifted once per iteration.
  double inner_skip_fraction = defaults::inner_skip_fraction;
};

/// Progress after one iteration (iteration 0: the warm-start state).
struct iteration_report {
  int iteration = 0;
  equilibrium_measures measures;
  /// Seconds since the start of this `solve` call.
  double elapsed_seconds = 0;
};

enum class stop_reason { converged, max_iterations, max_time };

/// Outcome of one `solve` call.
struct solve_summary {
  stop_reason reason = stop_reason::max_iterations;
  /// Iterations done in this call (0 if the warm start already met the gap).
  int iterations = 0;
  iteration_report last;
};

/// Static user equilibrium by Algorithm B (Dial 2006): one acyclic bush per
/// origin, Newton flow shifts between the longest used and the shortest bush
/// path at every merge node, bushes rebuilt every iteration.
///
/// The solver keeps its bushes between `solve` calls: after a capacity change
/// the next call re-equilibrates from the previous solution (warm start).
class bush_solver {
public:
  /// Validates the inputs: demand zones must exist in the network, every
  /// destination must be reachable from its origin without passing through
  /// other zones, and every link cost must be non-negative.
  static result<bush_solver> create(network net, od_matrix demand,
                                    cost_weights weights);

  /// Iterates until `options` says stop, reporting after each iteration.
  solve_summary
  solve(const solve_options& options,
        const std::function<void(const iteration_report&)>& progress = {});

  /// Changes a link's capacity; the next `solve` starts from the current
  /// flows. @pre `capacity > 0`
  void set_capacity(link_id id, double capacity);

  /// Closes a link. It keeps its place in the network and the bushes but
  /// costs `bpr_link::closed_cost`, so the next `solve` moves its flow away
  /// (a Newton step against it shifts whole segment flows at once).
  /// @returns every OD pair the closure would cut off, in which case nothing
  ///          changes; empty on success.
  std::vector<parse_error> close_link(link_id id);

  /// Reopens a closed link; the next `solve` starts from the current flows.
  void reopen_link(link_id id);

  /// Measures the current flows (one shortest-path tree per origin).
  equilibrium_measures measure();

  const network& net() const noexcept {
    return network_;
  }

  std::span<const double> flows() const noexcept {
    return links_.flow();
  }

  std::span<const double> costs() const noexcept {
    return links_.cost();
  }

  /// Heap bytes held by the bushes.
  std::size_t bush_memory_bytes() const noexcept;

  /// Largest flow imbalance at any node of any bush (a self-check).
  double max_conservation_error();

  /// Total number of links over all bushes.
  std::size_t total_bush_links() const noexcept;

private:
  bush_solver() = default;

  void initialize_bushes();

  /// One flow-shift pass over the origins with enough excess cost.
  void inner_pass(double skip_fraction);

  /// Recomputes link flows as the sum of bush flows, removing the drift that
  /// many incremental shifts leave in the aggregate flows.
  void resynchronize_flows();

  network network_;
  od_matrix demand_;
  loaded_links links_;
  std::vector<bush> bushes_;
  bush_workspace workspace_;
  shortest_path_tree tree_;
  std::vector<double> flow_buffer_;
  /// Excess cost of each bush after its last flow-shift pass.
  std::vector<double> excess_;
};

} // namespace citytwin::scenarios::assignment
