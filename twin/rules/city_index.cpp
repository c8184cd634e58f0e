// twin/rules/city_index.cpp
#include "twin/rules/city_index.hpp"

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace citytwin::rules {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

// Metres on a flat projection around the city's centre: within a city
// (tens of km) the error is far below a lamp's spacing, and the R-tree's
// distances become plain Euclidean ones.
using metric_point = bg::model::point<double, 2, bg::cs::cartesian>;
using spatial_value = std::pair<metric_point, twin::entity_id>;
using spatial_tree = bgi::rtree<spatial_value, bgi::quadratic<16>>;

constexpr double metres_per_degree = 111'320.0;
constexpr double pi = 3.14159265358979323846;

} // namespace

struct city_index::spatial {
  twin::geo_point origin;
  double metres_per_lon_degree = metres_per_degree;
  std::array<spatial_tree, twin::num_entity_kinds> trees;

  metric_point project(twin::geo_point p) const {
    return {(p.lon - origin.lon) * metres_per_lon_degree,
            (p.lat - origin.lat) * metres_per_degree};
  }
};

city_index::city_index(const twin::city& city)
  : city_(city), spatial_(std::make_unique<spatial>()) {
  spatial_->origin = city.center;
  spatial_->metres_per_lon_degree
    = metres_per_degree * std::cos(city.center.lat * pi / 180.0);
  std::array<std::vector<spatial_value>, twin::num_entity_kinds> values;
  for (auto* v : city.roads.intersections())
    values[twin::index_of(twin::entity_kind::intersection)].emplace_back(
      spatial_->project(v->where),
      twin::entity_id{twin::entity_kind::intersection, v->number});
  for (auto* s : city.roads.segments()) {
    twin::entity_id id{twin::entity_kind::road_segment, s->number};
    values[twin::index_of(id.kind)].emplace_back(spatial_->project(*position(id)),
                                                 id);
  }
  for (size_t i = 0; i < city.things.size(); ++i) {
    const auto& p = city.things[i];
    placement_by_id_.emplace(twin::pack(p.id), i);
    things_by_segment_[p.segment].push_back(p.id);
    values[twin::index_of(p.id.kind)].emplace_back(spatial_->project(p.where),
                                                   p.id);
  }
  // Packing (the range constructor) builds a balanced tree in one pass.
  for (size_t k = 0; k < values.size(); ++k)
    spatial_->trees[k] = spatial_tree{values[k].begin(), values[k].end()};
}

city_index::~city_index() = default;

bool city_index::contains(twin::entity_id id) const {
  switch (id.kind) {
    case twin::entity_kind::intersection:
      return city_.roads.find_intersection(id.number) != nullptr;
    case twin::entity_kind::road_segment:
      return city_.roads.find_segment(id.number) != nullptr;
    default:
      return placement_by_id_.count(twin::pack(id)) > 0;
  }
}

std::optional<twin::geo_point> city_index::position(twin::entity_id id) const {
  switch (id.kind) {
    case twin::entity_kind::intersection: {
      auto* v = city_.roads.find_intersection(id.number);
      return v ? std::optional{v->where} : std::nullopt;
    }
    case twin::entity_kind::road_segment: {
      auto* s = city_.roads.find_segment(id.number);
      if (s == nullptr)
        return std::nullopt;
      auto line = city_.roads.geometry(*s);
      // The middle of the polyline by length, so a lamp "within 50 m of
      // a segment" is measured from where the segment is, not its ends.
      double total = 0;
      for (size_t i = 1; i < line.size(); ++i)
        total += twin::distance_m(line[i - 1], line[i]);
      double half = total / 2;
      for (size_t i = 1; i < line.size(); ++i) {
        auto part = twin::distance_m(line[i - 1], line[i]);
        if (part >= half && part > 0)
          return twin::interpolate(line[i - 1], line[i], half / part);
        half -= part;
      }
      return line.front();
    }
    default: {
      auto i = placement_by_id_.find(twin::pack(id));
      if (i == placement_by_id_.end())
        return std::nullopt;
      return city_.things[i->second].where;
    }
  }
}

std::optional<twin::entity_id> city_index::segment_of(twin::entity_id id) const {
  auto i = placement_by_id_.find(twin::pack(id));
  if (i == placement_by_id_.end())
    return std::nullopt;
  return twin::entity_id{twin::entity_kind::road_segment,
                         city_.things[i->second].segment};
}

namespace {

std::vector<twin::entity_id> as_segments(const std::vector<uint32_t>& numbers) {
  std::vector<twin::entity_id> result;
  result.reserve(numbers.size());
  for (auto n : numbers)
    result.push_back({twin::entity_kind::road_segment, n});
  return result;
}

} // namespace

std::vector<twin::entity_id>
city_index::approaching(twin::entity_id intersection) const {
  if (intersection.kind != twin::entity_kind::intersection
      || city_.roads.find_intersection(intersection.number) == nullptr)
    return {};
  return as_segments(city_.roads.in_segments(intersection.number));
}

std::vector<twin::entity_id>
city_index::leaving(twin::entity_id intersection) const {
  if (intersection.kind != twin::entity_kind::intersection
      || city_.roads.find_intersection(intersection.number) == nullptr)
    return {};
  return as_segments(city_.roads.out_segments(intersection.number));
}

std::vector<twin::entity_id> city_index::along(twin::entity_id segment,
                                               twin::entity_kind kind) const {
  std::vector<twin::entity_id> result;
  if (segment.kind != twin::entity_kind::road_segment)
    return result;
  auto i = things_by_segment_.find(segment.number);
  if (i == things_by_segment_.end())
    return result;
  for (auto id : i->second)
    if (id.kind == kind)
      result.push_back(id);
  return result;
}

std::vector<twin::entity_id> city_index::within(twin::geo_point where,
                                                double radius_m,
                                                twin::entity_kind kind) const {
  auto centre = spatial_->project(where);
  bg::model::box<metric_point> box{
    {bg::get<0>(centre) - radius_m, bg::get<1>(centre) - radius_m},
    {bg::get<0>(centre) + radius_m, bg::get<1>(centre) + radius_m}};
  std::vector<std::pair<double, twin::entity_id>> hits;
  for (auto i = spatial_->trees[twin::index_of(kind)].qbegin(
         bgi::intersects(box));
       i != spatial_->trees[twin::index_of(kind)].qend(); ++i) {
    auto d = bg::distance(centre, i->first);
    if (d <= radius_m)
      hits.emplace_back(d, i->second);
  }
  std::sort(hits.begin(), hits.end());
  std::vector<twin::entity_id> result;
  result.reserve(hits.size());
  for (auto& [d, id] : hits)
    result.push_back(id);
  return result;
}

std::vector<twin::entity_id>
city_index::nearest(twin::geo_point where, uint32_t k, twin::entity_kind kind,
                    twin::entity_id except) const {
  auto centre = spatial_->project(where);
  std::vector<std::pair<double, twin::entity_id>> hits;
  const auto& tree = spatial_->trees[twin::index_of(kind)];
  for (auto i = tree.qbegin(bgi::nearest(centre, k + 1)); i != tree.qend();
       ++i)
    if (i->second != except)
      hits.emplace_back(bg::distance(centre, i->first), i->second);
  std::sort(hits.begin(), hits.end());
  if (hits.size() > k)
    hits.resize(k);
  std::vector<twin::entity_id> result;
  for (auto& [d, id] : hits)
    result.push_back(id);
  return result;
}

std::vector<twin::entity_id> city_index::all(twin::entity_kind kind) const {
  std::vector<twin::entity_id> result;
  if (kind == twin::entity_kind::intersection) {
    for (auto* v : city_.roads.intersections())
      result.push_back({kind, v->number});
  } else if (kind == twin::entity_kind::road_segment) {
    for (auto* s : city_.roads.segments())
      result.push_back({kind, s->number});
  } else {
    for (const auto& p : city_.things)
      if (p.id.kind == kind)
        result.push_back(p.id);
  }
  std::sort(result.begin(), result.end());
  return result;
}

uint8_t city_index::num_phases(twin::entity_id intersection) const {
  auto* v = intersection.kind == twin::entity_kind::intersection
              ? city_.roads.find_intersection(intersection.number)
              : nullptr;
  return v ? v->num_phases : 0;
}

} // namespace citytwin::rules
