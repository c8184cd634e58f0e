// scenarios/assignment/bush_newton_shift.cpp
//
// The Newton flow shift of bush.hpp, the inner loop of Algorithm B.
#include "scenarios/assignment/bush.hpp"

#include "scenarios/assignment/assignment_defaults.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::scenarios::assignment {

void bush::newton_shift(std::int32_t k, loaded_links& links,
                        bush_workspace& ws) {
  auto& long_segment = ws.long_segment;
  auto& short_segment = ws.short_segment;
  long_segment.clear();
  short_segment.clear();
  auto approach_long = ws.max_approach[static_cast<std::size_t>(k)];
  auto approach_short = ws.min_approach[static_cast<std::size_t>(k)];
  long_segment.push_back(approach_long);
  short_segment.push_back(approach_short);
  auto at_long = in_tail_[static_cast<std::size_t>(approach_long)];
  auto at_short = in_tail_[static_cast<std::size_t>(approach_short)];
  // Walk both trees back until they meet at the divergence node. Positions
  // are topological, so stepping the one further down finds the last common
  // node without marking anything.
  while (at_long != at_short) {
    if (at_long > at_short) {
      auto a = ws.max_approach[static_cast<std::size_t>(at_long)];
      if (a < 0)
        return; // Rounding emptied this node since the scan; skip it.
      long_segment.push_back(a);
      at_long = in_tail_[static_cast<std::size_t>(a)];
    } else {
      auto a = ws.min_approach[static_cast<std::size_t>(at_short)];
      short_segment.push_back(a);
      at_short = in_tail_[static_cast<std::size_t>(a)];
    }
  }
  auto cost = links.cost();
  auto derivative = links.derivative();
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
    return;
  if (!(curvature > 0))
    curvature = defaults::min_derivative;
  // Positive: move from the long segment to the short one. A negative step
  // (stale labels) moves flow back, bounded by the short segment's flow.
  double shift = std::clamp(difference / curvature, -flow_short, flow_long);
  if (shift == 0)
    return;
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
}

} // namespace citytwin::scenarios::assignment
