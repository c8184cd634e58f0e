// twin/city_graph.cpp
#include "twin/city_graph.hpp"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/property_map/transform_value_property_map.hpp>

#include <algorithm>

namespace citytwin::twin {

city_graph::city_graph(const city_graph& other)
    : graph_(other.graph_), vertex_by_number_(other.vertex_by_number_),
      segment_order_(other.segment_order_) {
  rebuild_edge_index();
}

city_graph& city_graph::operator=(const city_graph& other) {
  if (this != &other) {
    graph_ = other.graph_;
    vertex_by_number_ = other.vertex_by_number_;
    segment_order_ = other.segment_order_;
    rebuild_edge_index();
  }
  return *this;
}

city_graph::city_graph(city_graph&& other)
    : graph_(std::move(other.graph_)),
      vertex_by_number_(std::move(other.vertex_by_number_)),
      segment_order_(std::move(other.segment_order_)) {
  rebuild_edge_index();
  other.edge_by_number_.clear();
}

city_graph& city_graph::operator=(city_graph&& other) {
  if (this != &other) {
    graph_ = std::move(other.graph_);
    vertex_by_number_ = std::move(other.vertex_by_number_);
    segment_order_ = std::move(other.segment_order_);
    rebuild_edge_index();
    other.edge_by_number_.clear();
  }
  return *this;
}

void city_graph::rebuild_edge_index() {
  edge_by_number_.clear();
  for (auto [e, end] = boost::edges(graph_); e != end; ++e)
    edge_by_number_.emplace(graph_[*e].number, *e);
}

bool city_graph::add_intersection(const intersection_info& info) {
  if (vertex_by_number_.contains(info.number))
    return false;
  auto v = boost::add_vertex(info, graph_);
  vertex_by_number_.emplace(info.number, v);
  return true;
}

bool city_graph::add_segment(segment_info info) {
  if (edge_by_number_.contains(info.number))
    return false;
  auto from = vertex_by_number_.find(info.from);
  auto to = vertex_by_number_.find(info.to);
  if (from == vertex_by_number_.end() || to == vertex_by_number_.end())
    return false;
  auto number = info.number;
  auto [e, added]
      = boost::add_edge(from->second, to->second, std::move(info), graph_);
  // adjacency_list with vecS out-edges allows parallel edges: always added.
  (void)added;
  edge_by_number_.emplace(number, e);
  segment_order_.push_back(number);
  return true;
}

size_t city_graph::num_intersections() const {
  return boost::num_vertices(graph_);
}

size_t city_graph::num_segments() const {
  return boost::num_edges(graph_);
}

const intersection_info* city_graph::find_intersection(uint32_t number) const {
  auto i = vertex_by_number_.find(number);
  return i == vertex_by_number_.end() ? nullptr : &graph_[i->second];
}

const segment_info* city_graph::find_segment(uint32_t number) const {
  auto i = edge_by_number_.find(number);
  return i == edge_by_number_.end() ? nullptr : &graph_[i->second];
}

std::vector<uint32_t> city_graph::out_segments(uint32_t intersection) const {
  std::vector<uint32_t> result;
  auto i = vertex_by_number_.find(intersection);
  if (i == vertex_by_number_.end())
    return result;
  for (auto [e, end] = boost::out_edges(i->second, graph_); e != end; ++e)
    result.push_back(graph_[*e].number);
  return result;
}

std::vector<uint32_t> city_graph::in_segments(uint32_t intersection) const {
  std::vector<uint32_t> result;
  auto i = vertex_by_number_.find(intersection);
  if (i == vertex_by_number_.end())
    return result;
  for (auto [e, end] = boost::in_edges(i->second, graph_); e != end; ++e)
    result.push_back(graph_[*e].number);
  return result;
}

std::vector<const intersection_info*> city_graph::intersections() const {
  std::vector<const intersection_info*> result;
  result.reserve(num_intersections());
  for (auto [v, end] = boost::vertices(graph_); v != end; ++v)
    result.push_back(&graph_[*v]);
  return result;
}

std::vector<const segment_info*> city_graph::segments() const {
  std::vector<const segment_info*> result;
  result.reserve(segment_order_.size());
  for (auto number : segment_order_)
    result.push_back(&graph_[edge_by_number_.at(number)]);
  return result;
}

std::vector<geo_point> city_graph::geometry(const segment_info& seg) const {
  std::vector<geo_point> result;
  result.reserve(seg.shape.size() + 2);
  if (auto from = find_intersection(seg.from))
    result.push_back(from->where);
  result.insert(result.end(), seg.shape.begin(), seg.shape.end());
  if (auto to = find_intersection(seg.to))
    result.push_back(to->where);
  return result;
}

std::optional<std::vector<uint32_t>>
city_graph::fastest_route(uint32_t from, uint32_t to) const {
  auto src = vertex_by_number_.find(from);
  auto dst = vertex_by_number_.find(to);
  if (src == vertex_by_number_.end() || dst == vertex_by_number_.end())
    return std::nullopt;
  auto n = num_vertices(graph_);
  std::vector<vertex> pred(n);
  std::vector<double> dist(n);
  std::vector<edge> pred_edge(n);
  auto weight = boost::make_transform_value_property_map(
      [](const segment_info& s) { return s.free_flow_s(); },
      boost::get(boost::edge_bundle, graph_));
  // Record the edge used to reach each vertex: with parallel segments the
  // predecessor vertex alone does not say which segment was taken.
  struct edge_recorder : boost::default_dijkstra_visitor {
    std::vector<edge>* pred_edge;
    void edge_relaxed(edge e, const graph_type& g) const {
      (*pred_edge)[boost::target(e, g)] = e;
    }
  };
  edge_recorder recorder;
  recorder.pred_edge = &pred_edge;
  boost::dijkstra_shortest_paths(
      graph_, src->second,
      boost::weight_map(weight)
          .predecessor_map(boost::make_iterator_property_map(
              pred.begin(), boost::get(boost::vertex_index, graph_)))
          .distance_map(boost::make_iterator_property_map(
              dist.begin(), boost::get(boost::vertex_index, graph_)))
          .visitor(recorder));
  std::vector<uint32_t> result;
  for (auto v = dst->second; v != src->second; v = pred[v]) {
    if (pred[v] == v)
      return std::nullopt; // unreachable: Dijkstra left it its own parent
    result.push_back(graph_[pred_edge[v]].number);
  }
  std::reverse(result.begin(), result.end());
  return result;
}

size_t city_graph::num_reachable(uint32_t from) const {
  auto src = vertex_by_number_.find(from);
  if (src == vertex_by_number_.end())
    return 0;
  std::vector<boost::default_color_type> colors(num_vertices(graph_));
  auto color_map = boost::make_iterator_property_map(
      colors.begin(), boost::get(boost::vertex_index, graph_));
  boost::breadth_first_search(graph_, src->second, boost::color_map(color_map));
  return static_cast<size_t>(
      std::count_if(colors.begin(), colors.end(),
                    [](auto c) { return c != boost::white_color; }));
}

double city_graph::total_length_m() const {
  double result = 0;
  for (auto [e, end] = boost::edges(graph_); e != end; ++e)
    result += graph_[*e].length_m;
  return result;
}

} // namespace citytwin::twin
