// scenarios/assignment/loaded_links.hpp
#pragma once

#include "scenarios/assignment/bpr_link.hpp"
#include "scenarios/assignment/compensated_sum.hpp"
#include "scenarios/assignment/network.hpp"

#include <span>
#include <vector>

namespace citytwin::scenarios::assignment {

/// Link flows with their costs and cost derivatives kept current.
///
/// Structure of arrays: shortest paths and bush scans read only `cost()`,
/// so it stays dense and cache-friendly; a flow shift updates all three
/// entries of one link.
class loaded_links {
public:
  loaded_links() = default;

  /// Zero flows at free-flow costs.
  loaded_links(const network& net, cost_weights weights);

  std::size_t size() const noexcept {
    return flow_.size();
  }

  std::span<const double> flow() const noexcept {
    return flow_;
  }

  std::span<const double> cost() const noexcept {
    return cost_;
  }

  std::span<const double> derivative() const noexcept {
    return derivative_;
  }

  const bpr_link& function(link_id id) const {
    return bpr_[static_cast<std::size_t>(id)];
  }

  /// Adds `delta` to a link's flow and re-evaluates its cost exactly (a
  /// linear update would let costs drift from flows over many shifts).
  void shift(link_id id, double delta) {
    auto i = static_cast<std::size_t>(id);
    flow_[i] += delta;
    cost_[i] = bpr_[i].cost(flow_[i]);
    derivative_[i] = bpr_[i].derivative(flow_[i]);
  }

  /// Replaces all flows and re-evaluates every cost.
  /// @pre `flows.size() == size()`
  void set_flows(std::span<const double> flows);

  /// Changes a link's capacity (closures use a tiny one) and re-evaluates it.
  void set_capacity(link_id id, double capacity);

  /// Closes (or reopens) a link and re-evaluates it.
  void set_closed(link_id id, bool closed);

  /// Beckmann objective: sum of cost integrals (compensated summation).
  double beckmann() const;

  /// Total system travel cost, sum of flow times generalised cost (TSTT).
  double total_cost() const;

  /// Sum of flow times BPR time only (tolls and distance left out).
  double total_time() const;

private:
  std::vector<bpr_link> bpr_;
  std::vector<double> flow_;
  std::vector<double> cost_;
  std::vector<double> derivative_;
};

} // namespace citytwin::scenarios::assignment
