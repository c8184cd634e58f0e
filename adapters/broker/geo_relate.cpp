// adapters/broker/geo_relate.cpp
#include "adapters/broker/geo_relate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace citytwin::broker::detail {

namespace {

constexpr double earth_radius_m = 6371008.8; // as twin/geo.cpp
constexpr double deg = std::numbers::pi / 180.0;
/// Keeps the east-west scale finite at the poles.
constexpr double min_cos_lat = 1e-6;
/// Coordinates this close (in degrees, ~0.1 mm) are the same for `equals`:
/// it absorbs decimal round trips, nothing more.
constexpr double same_deg = 1e-9;

struct xy {
  double x = 0;
  double y = 0;
};

using ring = std::vector<xy>;

/// A geometry in local metres: same layout as `geo_shape`.
struct planar {
  std::vector<xy> points;
  std::vector<ring> lines;
  std::vector<std::vector<ring>> polygons;
};

/// An equirectangular projection around `origin`, in metres. Longitude
/// differences wrap, so small shapes across the antimeridian still work.
class frame {
public:
  explicit frame(twin::geo_point origin)
      : origin_(origin),
        kx_(earth_radius_m * deg
            * std::max(std::cos(origin.lat * deg), min_cos_lat)),
        ky_(earth_radius_m * deg) {
  }

  xy operator()(twin::geo_point p) const {
    return {std::remainder(p.lon - origin_.lon, 360.0) * kx_,
            (p.lat - origin_.lat) * ky_};
  }

  ring operator()(const geo_path& path) const {
    ring result;
    result.reserve(path.size());
    for (auto p : path)
      result.push_back((*this)(p));
    return result;
  }

  planar operator()(const geo_shape& shape) const {
    planar result;
    for (auto p : shape.points)
      result.points.push_back((*this)(p));
    for (const auto& line : shape.lines)
      result.lines.push_back((*this)(line));
    for (const auto& polygon : shape.polygons) {
      auto& out = result.polygons.emplace_back();
      for (const auto& r : polygon)
        out.push_back((*this)(r));
    }
    return result;
  }

private:
  twin::geo_point origin_;
  double kx_;
  double ky_;
};

twin::geo_point first_vertex(const geo_shape& s) {
  if (!s.points.empty())
    return s.points.front();
  if (!s.lines.empty())
    return s.lines.front().front();
  return s.polygons.front().front().front();
}

/// The z component of (a - o) x (b - o): > 0 if o, a, b turn left.
double cross(xy o, xy a, xy b) {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

double segment_distance(xy p, xy a, xy b) {
  double dx = b.x - a.x;
  double dy = b.y - a.y;
  double length2 = dx * dx + dy * dy;
  double t = 0;
  if (length2 > 0)
    t = std::clamp(((p.x - a.x) * dx + (p.y - a.y) * dy) / length2, 0.0, 1.0);
  return std::hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

double path_distance(xy p, const ring& path) {
  double result = std::numeric_limits<double>::infinity();
  for (size_t i = 1; i < path.size(); ++i)
    result = std::min(result, segment_distance(p, path[i - 1], path[i]));
  return result;
}

/// Even-odd ray casting; points on the boundary may fall either way,
/// which is why callers test the boundary first.
bool in_ring(xy p, const ring& r) {
  bool result = false;
  for (size_t i = 1; i < r.size(); ++i) {
    xy a = r[i - 1];
    xy b = r[i];
    if ((a.y > p.y) != (b.y > p.y)
        && p.x < a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y))
      result = !result;
  }
  return result;
}

bool on_boundary(xy p, const std::vector<ring>& polygon) {
  return std::any_of(polygon.begin(), polygon.end(), [&](const ring& r) {
    return path_distance(p, r) <= geo_tolerance_m;
  });
}

/// Inside the outer ring and outside every hole.
bool in_interior(xy p, const std::vector<ring>& polygon) {
  if (!in_ring(p, polygon.front()))
    return false;
  return std::none_of(polygon.begin() + 1, polygon.end(),
                      [&](const ring& hole) { return in_ring(p, hole); });
}

/// True if `p` is a point of `s` (within the tolerance).
bool covers(const planar& s, xy p) {
  for (auto q : s.points)
    if (std::hypot(p.x - q.x, p.y - q.y) <= geo_tolerance_m)
      return true;
  for (const auto& line : s.lines)
    if (path_distance(p, line) <= geo_tolerance_m)
      return true;
  for (const auto& polygon : s.polygons)
    if (on_boundary(p, polygon) || in_interior(p, polygon))
      return true;
  return false;
}

template <class Predicate>
bool any_vertex(const planar& s, Predicate f) {
  auto any_in
      = [&](const ring& r) { return std::any_of(r.begin(), r.end(), f); };
  if (any_in(s.points))
    return true;
  if (std::any_of(s.lines.begin(), s.lines.end(), any_in))
    return true;
  for (const auto& polygon : s.polygons)
    if (std::any_of(polygon.begin(), polygon.end(), any_in))
      return true;
  return false;
}

/// Calls `f(a, b)` for every edge of every line and ring until it says
/// true.
template <class Predicate>
bool any_edge(const planar& s, Predicate f) {
  auto any_in = [&](const ring& r) {
    for (size_t i = 1; i < r.size(); ++i)
      if (f(r[i - 1], r[i]))
        return true;
    return false;
  };
  if (std::any_of(s.lines.begin(), s.lines.end(), any_in))
    return true;
  for (const auto& polygon : s.polygons)
    if (std::any_of(polygon.begin(), polygon.end(), any_in))
      return true;
  return false;
}

/// Segments cross at a point interior to both. Touching and collinear
/// overlaps are left to the vertex tests, which see them with tolerance.
bool cross_properly(xy a1, xy a2, xy b1, xy b2) {
  auto opposite
      = [](double u, double v) { return (u > 0 && v < 0) || (u < 0 && v > 0); };
  return opposite(cross(b1, b2, a1), cross(b1, b2, a2))
         && opposite(cross(a1, a2, b1), cross(a1, a2, b2));
}

bool any_crossing(const planar& a, const planar& b) {
  return any_edge(a, [&](xy a1, xy a2) {
    return any_edge(
        b, [&](xy b1, xy b2) { return cross_properly(a1, a2, b1, b2); });
  });
}

bool same(twin::geo_point a, twin::geo_point b) {
  return std::abs(a.lon - b.lon) <= same_deg
         && std::abs(a.lat - b.lat) <= same_deg;
}

template <class T, class Same>
bool same_all(const std::vector<T>& a, const std::vector<T>& b, Same f) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), f);
}

} // namespace

double distance_m(twin::geo_point p, const geo_shape& shape) {
  double result = std::numeric_limits<double>::infinity();
  for (auto q : shape.points)
    result = std::min(result, twin::distance_m(p, q));
  frame to_flat{p};
  xy origin;
  for (const auto& line : shape.lines)
    result = std::min(result, path_distance(origin, to_flat(line)));
  for (const auto& polygon : shape.polygons) {
    std::vector<ring> flat;
    for (const auto& r : polygon)
      flat.push_back(to_flat(r));
    if (in_interior(origin, flat))
      return 0;
    for (const auto& r : flat)
      result = std::min(result, path_distance(origin, r));
  }
  return result;
}

bool intersects(const geo_shape& a, const geo_shape& b) {
  frame to_flat{first_vertex(a)};
  auto pa = to_flat(a);
  auto pb = to_flat(b);
  return any_vertex(pa, [&](xy v) { return covers(pb, v); })
         || any_vertex(pb, [&](xy v) { return covers(pa, v); })
         || any_crossing(pa, pb);
}

bool within(const geo_shape& a, const geo_shape& b) {
  frame to_flat{first_vertex(b)};
  auto pa = to_flat(a);
  auto pb = to_flat(b);
  if (any_vertex(pa, [&](xy v) { return !covers(pb, v); }))
    return false;
  // All vertices inside a concave polygon, yet an edge leaves it.
  if (!pb.polygons.empty() && any_crossing(pa, pb))
    return false;
  if (pa.polygons.empty() || pb.polygons.empty())
    return true;
  // A hole of b inside a polygon of a: those points are in a, not in b.
  auto strictly_in_a = [&](xy v) {
    return std::any_of(pa.polygons.begin(), pa.polygons.end(),
                       [&](const std::vector<ring>& polygon) {
                         return in_interior(v, polygon)
                                && !on_boundary(v, polygon);
                       });
  };
  return !any_vertex(pb, strictly_in_a);
}

bool equals(const geo_shape& a, const geo_shape& b) {
  auto same_path = [](const geo_path& x, const geo_path& y) {
    return same_all(x, y, same);
  };
  auto same_polygon = [&](const geo_polygon& x, const geo_polygon& y) {
    return same_all(x, y, same_path);
  };
  return a.type == b.type && same_all(a.points, b.points, same)
         && same_all(a.lines, b.lines, same_path)
         && same_all(a.polygons, b.polygons, same_polygon);
}

} // namespace citytwin::broker::detail
