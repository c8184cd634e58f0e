// scenarios/assignment/bush_newton_shift.cpp
//
// The Newton flow shift of bush.hpp, the inner loop of Algorithm B.
#include "scenarios/assignment/bush.hpp"

#include "scenarios/assignment/assignment_defaults.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::scenarios::assignment {

namespace {

/// Objective decrease predicted for a Newton step on a PAS with cost
/// difference `difference` and curvature `curvature`, the step clamped to
/// the `flow` that the longest segment carries. Zero curvature (b = 0
/// connectors) gives the linear decrease `difference * flow`.
double predicted_decrease(double difference, double curvature, double flow) {
  if (!(difference > 0))
    return 0;
  if (curvature * flow <= difference)
    return difference * flow - 0.5 * curvature * flow * flow;
  return 0.5 * difference * difference / curvature;
}

} // namespace

std::int32_t bush::flatter_approach(std::int32_t k, std::int32_t excluded,
                                    std::span<const double> cost,
                                    std::span<const double> derivative,
                                    pas_estimate& estimate,
                                    const bush_workspace& ws) const {
  auto kk = static_cast<std::size_t>(k);
  auto chosen = static_cast<std::size_t>(ws.max_approach[kk]);
  auto chosen_link = static_cast<std::size_t>(in_link_[chosen]);
  // How much of the PAS's cost difference an approach gives up (labels are
  // from the scan, costs current: it may be negative).
  auto loss_of = [&](std::size_t a, std::size_t link) {
    return ws.max_label[kk]
           - (ws.max_label[static_cast<std::size_t>(in_tail_[a])] + cost[link]);
  };
  double chosen_loss = 0;
  double chosen_decrease = -1;
  for (auto a = first_[kk]; a < first_[kk + 1]; ++a) {
    auto ai = static_cast<std::size_t>(a);
    auto l = static_cast<std::size_t>(in_link_[ai]);
    // Only flatter approaches can do better: the scan's choice has the
    // smallest loss. The longest segment must carry flow.
    if (!(derivative[l] < derivative[chosen_link]) || !(in_flow_[ai] > 0)
        || a == excluded)
      continue;
    if (chosen_decrease < 0) {
      chosen_loss = loss_of(chosen, chosen_link);
      double rest = estimate.difference - chosen_loss;
      double curvature = estimate.curvature + derivative[chosen_link];
      double flow = std::min(estimate.flow, in_flow_[chosen]);
      // A step that can empty the scan's choice is limited by its flow, not
      // by its curvature: keep it, or residual flows on dear paths would
      // never be removed.
      if (curvature * flow <= rest)
        break;
      chosen_decrease = predicted_decrease(rest, curvature, flow);
    }
    double loss = loss_of(ai, l);
    double decrease = predicted_decrease(
      estimate.difference - loss, estimate.curvature + derivative[l],
      std::min(estimate.flow, in_flow_[ai]));
    if (decrease > defaults::flat_approach_gain * chosen_decrease) {
      chosen = ai;
      chosen_link = l;
      chosen_loss = loss;
      chosen_decrease = decrease;
      estimate.detoured = true;
    }
  }
  estimate.difference -= chosen_loss;
  estimate.curvature += derivative[chosen_link];
  estimate.flow = std::min(estimate.flow, in_flow_[chosen]);
  return static_cast<std::int32_t>(chosen);
}

bool bush::find_segments(std::int32_t k, bool flatter,
                         std::span<const double> cost,
                         std::span<const double> derivative,
                         pas_estimate& estimate, bush_workspace& ws) const {
  auto& long_segment = ws.long_segment;
  auto& short_segment = ws.short_segment;
  long_segment.clear();
  short_segment.clear();
  auto kk = static_cast<std::size_t>(k);
  auto approach_short = ws.min_approach[kk];
  auto approach_long
    = flatter
        ? flatter_approach(k, approach_short, cost, derivative, estimate, ws)
        : ws.max_approach[kk];
  if (approach_long == approach_short)
    return false;
  long_segment.push_back(approach_long);
  short_segment.push_back(approach_short);
  auto at_long = in_tail_[static_cast<std::size_t>(approach_long)];
  auto at_short = in_tail_[static_cast<std::size_t>(approach_short)];
  // Walk both segments back until they meet at the divergence node.
  // Positions are topological, so stepping the one further down finds the
  // last common node without marking anything.
  while (at_long != at_short) {
    if (at_long > at_short) {
      auto a = ws.max_approach[static_cast<std::size_t>(at_long)];
      if (a < 0)
        return false; // Rounding emptied this node since the scan.
      if (flatter)
        a = flatter_approach(at_long, -1, cost, derivative, estimate, ws);
      long_segment.push_back(a);
      at_long = in_tail_[static_cast<std::size_t>(a)];
    } else {
      auto a = ws.min_approach[static_cast<std::size_t>(at_short)];
      short_segment.push_back(a);
      at_short = in_tail_[static_cast<std::size_t>(a)];
    }
  }
  return true;
}

void bush::newton_shift(std::int32_t k, loaded_links& links,
                        bush_workspace& ws) {
  auto cost = links.cost();
  auto derivative = links.derivative();
  auto kk = static_cast<std::size_t>(k);
  pas_estimate estimate{ws.max_label[kk] - ws.min_label[kk], 0,
                        std::numeric_limits<double>::infinity()};
  // First the PAS with flatter detours; if a detour leads to a divergence
  // node whose own label spread ate the whole difference (the estimate
  // cannot see that), the segments cost the same and the plain
  // longest-path PAS gets its turn, so no disequilibrium is left stuck.
  if (!find_segments(k, true, cost, derivative, estimate, ws))
    return;
  if (shift_segments(links, ws) || !estimate.detoured)
    return;
  if (find_segments(k, false, cost, derivative, estimate, ws))
    shift_segments(links, ws);
}

bool bush::shift_segments(loaded_links& links, bush_workspace& ws) {
  auto cost = links.cost();
  auto derivative = links.derivative();
  const auto& long_segment = ws.long_segment;
  const auto& short_segment = ws.short_segment;
  double cost_long = 0;
  double cost_short = 0;
  double curvature = 0;
  double flow_long = std::numeric_limits<double>::infinity();
  double flow_short = std::numeric_limits<double>::infinity();
  for (auto a : long_segment) {
    auto ai = static_cast<std::size_t>(a);
    auto l = static_cast<std::size_t>(in_link_[ai]);
    cost_long += cost[l];
    curvature += derivative[l];
    flow_long = std::min(flow_long, in_flow_[ai]);
  }
  for (auto a : short_segment) {
    auto ai = static_cast<std::size_t>(a);
    auto l = static_cast<std::size_t>(in_link_[ai]);
    cost_short += cost[l];
    curvature += derivative[l];
    flow_short = std::min(flow_short, in_flow_[ai]);
  }
  double difference = cost_long - cost_short;
  if (std::fabs(difference) <= defaults::relative_cost_tolerance
                                 * std::max(cost_long, cost_short))
    return false;
  if (!(curvature > 0))
    curvature = defaults::min_derivative;
  // Positive: move from the long segment to the short one. A negative step
  // (stale labels) moves flow back, bounded by the short segment's flow.
  double shift = std::clamp(difference / curvature, -flow_short, flow_long);
  if (shift == 0)
    return false;
  for (auto a : long_segment) {
    auto ai = static_cast<std::size_t>(a);
    in_flow_[ai] -= shift;
    links.shift(in_link_[ai], -shift);
  }
  for (auto a : short_segment) {
    auto ai = static_cast<std::size_t>(a);
    in_flow_[ai] += shift;
    links.shift(in_link_[ai], shift);
  }
  return true;
}

} // namespace citytwin::scenarios::assignment
