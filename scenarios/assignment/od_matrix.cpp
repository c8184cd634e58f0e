// scenarios/assignment/od_matrix.cpp
#include "scenarios/assignment/od_matrix.hpp"

#include <algorithm>

namespace citytwin::scenarios::assignment {

od_matrix::od_matrix(std::int32_t num_zones)
  : num_zones_(num_zones),
    first_(static_cast<std::size_t>(num_zones) + 1, 0) {
}

void od_matrix::add_row(node_id origin, std::vector<od_entry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const od_entry& x, const od_entry& y) {
              return x.destination < y.destination;
            });
  auto begin = entries_.size();
  for (const auto& entry : entries) {
    if (entry.destination == origin) {
      intrazonal_flow_ += entry.flow;
      continue;
    }
    if (entry.flow <= 0)
      continue;
    total_flow_ += entry.flow;
    if (entries_.size() > begin
        && entries_.back().destination == entry.destination)
      entries_.back().flow += entry.flow;
    else
      entries_.push_back(entry);
  }
  // Rows after `origin` start where this one ends until they are added.
  auto end = static_cast<std::int32_t>(entries_.size());
  for (auto o = static_cast<std::size_t>(origin) + 1; o < first_.size(); ++o)
    first_[o] = end;
}

} // namespace citytwin::scenarios::assignment
