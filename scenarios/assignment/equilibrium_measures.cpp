// scenarios/assignment/equilibrium_measures.cpp
#include "scenarios/assignment/equilibrium_measures.hpp"

#include "scenarios/assignment/compensated_sum.hpp"

#include <vector>

namespace citytwin::scenarios::assignment {

equilibrium_measures measure_equilibrium(const network& net,
                                         const od_matrix& demand,
                                         const loaded_links& links,
                                         shortest_path_tree& tree) {
  equilibrium_measures result;
  compensated_sum shortest;
  std::vector<node_id> targets;
  for (node_id origin = 0; origin < demand.num_zones(); ++origin) {
    auto row = demand.row(origin);
    if (row.empty())
      continue;
    targets.clear();
    for (const auto& entry : row)
      targets.push_back(entry.destination);
    tree.run(net, links.cost(), origin, targets);
    auto distance = tree.distance();
    for (const auto& entry : row)
      shortest.add(entry.flow
                   * distance[static_cast<std::size_t>(entry.destination)]);
  }
  result.beckmann = links.beckmann();
  result.total_cost = links.total_cost();
  result.shortest_path_cost = shortest.value();
  result.relative_gap = result.shortest_path_cost > 0
                          ? (result.total_cost - result.shortest_path_cost)
                              / result.shortest_path_cost
                          : 0;
  result.total_time = links.total_time();
  return result;
}

} // namespace citytwin::scenarios::assignment
