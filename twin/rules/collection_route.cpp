// twin/rules/collection_route.cpp
#include "twin/rules/collection_route.hpp"

#include <boost/graph/dijkstra_shortest_paths.hpp>

#include <algorithm>
#include <limits>

namespace citytwin::rules {

namespace {

constexpr double unreachable = std::numeric_limits<double>::infinity();

// Road distance from intersection `from` to every intersection.
std::vector<double> distances_from(const twin::city_graph& roads,
                                   twin::city_graph::vertex from) {
  const auto& g = roads.graph();
  std::vector<double> result(boost::num_vertices(g), unreachable);
  boost::dijkstra_shortest_paths(
    g, from,
    boost::weight_map(boost::get(&twin::segment_info::length_m, g))
      .distance_map(boost::make_iterator_property_map(
        result.begin(), boost::get(boost::vertex_index, g))));
  return result;
}

} // namespace

collection_route order_collection(const city_index& city,
                                  std::vector<twin::entity_id> bins) {
  collection_route result;
  std::sort(bins.begin(), bins.end());
  bins.erase(std::unique(bins.begin(), bins.end()), bins.end());
  if (bins.empty())
    return result;
  const auto& roads = city.city().roads;
  const auto& g = roads.graph();
  // A bin is reached at the end of its segment: vertex of `to`.
  std::vector<twin::city_graph::vertex> at;
  std::vector<twin::entity_id> placed, rest;
  for (auto id : bins) {
    auto seg = city.segment_of(id);
    const auto* info = seg ? roads.find_segment(seg->number) : nullptr;
    if (info == nullptr || placed.size() >= max_route_stops) {
      rest.push_back(id);
      continue;
    }
    // The graph's vertex of intersection `to`, found by its number.
    auto vs = boost::vertices(g);
    auto v = std::find_if(vs.first, vs.second, [&](auto x) {
      return g[x].number == info->to;
    });
    if (v == vs.second) {
      rest.push_back(id);
      continue;
    }
    placed.push_back(id);
    at.push_back(*v);
  }
  if (placed.empty()) {
    result.stops = std::move(rest);
    return result;
  }
  // Start at the bin nearest the centre.
  size_t current = 0;
  double best = unreachable;
  for (size_t i = 0; i < placed.size(); ++i) {
    auto p = city.position(placed[i]);
    auto d = p ? twin::distance_m(*p, city.city().center) : unreachable;
    if (d < best) {
      best = d;
      current = i;
    }
  }
  std::vector<bool> done(placed.size(), false);
  std::vector<twin::entity_id> unreached;
  for (size_t step = 0; step < placed.size(); ++step) {
    done[current] = true;
    result.stops.push_back(placed[current]);
    auto dist = distances_from(roads, at[current]);
    size_t next = placed.size();
    double nearest = unreachable;
    for (size_t i = 0; i < placed.size(); ++i)
      if (!done[i] && dist[at[i]] < nearest) {
        nearest = dist[at[i]];
        next = i;
      }
    if (next == placed.size())
      break;
    result.length_m += nearest;
    current = next;
  }
  for (size_t i = 0; i < placed.size(); ++i)
    if (!done[i])
      result.stops.push_back(placed[i]);
  result.stops.insert(result.stops.end(), rest.begin(), rest.end());
  return result;
}

} // namespace citytwin::rules
