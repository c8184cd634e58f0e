// twin/rules/collection_route.hpp
#pragma once

#include "twin/rules/city_index.hpp"

#include <vector>

namespace citytwin::rules {

/// Bins to empty, in the order a crew drives past them.
struct collection_route {
  std::vector<twin::entity_id> stops;
  double length_m = 0; ///< along the roads, first stop to last
};

/// Most stops one route orders; the rest follow in id order (a crew's
/// shift does not empty a whole city either).
constexpr size_t max_route_stops = 200;

/// Orders `bins` along the road graph: starting with the bin nearest the
/// city centre (where depots usually are), each next stop is the one
/// nearest by road from the last (Dijkstra over segment lengths, one run
/// per stop). Bins that cannot be reached come last.
collection_route order_collection(const city_index& city,
                                  std::vector<twin::entity_id> bins);

} // namespace citytwin::rules
