// twin/broker/geo_relate.cpp
#include "twin/broker/geo_relate.hpp"

#include <boost/geometry.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>
#include <variant>

namespace citytwin::broker::detail {

namespace {

namespace bg = boost::geometry;

constexpr double earth_radius_m = 6371008.8; // as twin/geo.cpp
constexpr double degree = std::numbers::pi / 180.0;
/// Keeps the east-west scale finite at the poles.
constexpr double min_cos_lat = 1e-6;
constexpr double full_turn = 360;
constexpr double half_turn = 180;

using xy = bg::model::d2::point_xy<double>;
using multi_point = bg::model::multi_point<xy>;
using line = bg::model::linestring<xy>;
using multi_line = bg::model::multi_linestring<line>;
/// Clockwise and closed (Boost's default); `bg::correct` turns GeoJSON's
/// counterclockwise outer rings around.
using polygon = bg::model::polygon<xy>;
using multi_polygon = bg::model::multi_polygon<polygon>;

/// A shape as Boost.Geometry sees it; the variant index is the dimension.
/// Single geometries become Multi- forms of one part: OGC predicates
/// depend on the point set only.
using flat = std::variant<multi_point, multi_line, multi_polygon>;

template <class T>
constexpr size_t dimension = std::is_same_v<T, multi_point>  ? 0
                             : std::is_same_v<T, multi_line> ? 1
                                                             : 2;

/// Positions as cartesian lon/lat (see the header for why).
xy plain(twin::geo_point p) {
  return {p.lon, p.lat};
}

/// An equirectangular projection around `origin`, in metres, with the
/// shape moved `shift` degrees east.
class metric_frame {
public:
  metric_frame(twin::geo_point origin, double shift)
      : origin_(origin), shift_(shift),
        kx_(earth_radius_m * degree
            * std::max(std::cos(origin.lat * degree), min_cos_lat)),
        ky_(earth_radius_m * degree) {
  }

  xy operator()(twin::geo_point p) const {
    return {(p.lon + shift_ - origin_.lon) * kx_, (p.lat - origin_.lat) * ky_};
  }

private:
  twin::geo_point origin_;
  double shift_;
  double kx_;
  double ky_;
};

template <class Project>
line to_line(const geo_path& path, Project f) {
  line result;
  result.reserve(path.size());
  for (auto p : path)
    result.push_back(f(p));
  return result;
}

/// By dimension: whichever of the vectors holds the shape's parts.
template <class Project>
flat to_flat(const geo_shape& s, Project f) {
  if (!s.polygons.empty()) {
    multi_polygon result;
    for (const auto& rings : s.polygons) {
      auto& out = result.emplace_back();
      for (auto p : rings.front())
        out.outer().push_back(f(p));
      for (auto hole = rings.begin() + 1; hole != rings.end(); ++hole) {
        auto& inner = out.inners().emplace_back();
        for (auto p : *hole)
          inner.push_back(f(p));
      }
    }
    // Orientation (and closing) as Boost expects, whatever the document's.
    bg::correct(result);
    return result;
  }
  if (!s.lines.empty()) {
    multi_line result;
    for (const auto& path : s.lines)
      result.push_back(to_line(path, f));
    return result;
  }
  multi_point result;
  for (auto p : s.points)
    result.push_back(f(p));
  return result;
}

/// What `parse_geo_shape` checks before validity: finite positions,
/// lines of 2 and rings of 4 positions, no empty parts. A shape built in
/// code without it (say from twin state) could trip assertions deep in
/// Boost.Geometry, so the predicates test it first.
bool well_formed(const geo_shape& s) {
  constexpr size_t min_line = 2;
  constexpr size_t min_ring = 4;
  auto finite = [](twin::geo_point p) {
    return std::isfinite(p.lon) && std::isfinite(p.lat);
  };
  auto path_ok = [&](const geo_path& path, size_t min_size) {
    return path.size() >= min_size
           && std::all_of(path.begin(), path.end(), finite);
  };
  if (s.points.empty() && s.lines.empty() && s.polygons.empty())
    return false;
  if (!std::all_of(s.points.begin(), s.points.end(), finite))
    return false;
  for (const auto& line : s.lines)
    if (!path_ok(line, min_line))
      return false;
  for (const auto& rings : s.polygons) {
    if (rings.empty())
      return false;
    for (const auto& ring : rings)
      if (!path_ok(ring, min_ring))
        return false;
  }
  return true;
}

/// Calls `f(a, b)` with the Boost.Geometry forms of both shapes. Boost
/// throws on input it cannot handle (only invalid geometry, which
/// `parse_geo_shape` refuses); such a pair satisfies no predicate, nor
/// does a shape that is not well formed.
template <class F>
bool relate(const geo_shape& a, const geo_shape& b, F f) {
  if (!well_formed(a) || !well_formed(b))
    return false;
  try {
    return std::visit(f, to_flat(a, plain), to_flat(b, plain));
  } catch (const bg::exception&) {
    return false;
  }
}

/// The point Boost names in a self-intersection message ("... found at
/// (x, y); ...", 6 significant digits), as " near [x,y]", or empty.
std::string where(const std::string& message) {
  constexpr std::string_view marker = "found at (";
  auto start = message.find(marker);
  if (start == std::string::npos)
    return {};
  start += marker.size();
  auto end = message.find(')', start);
  if (end == std::string::npos)
    return {};
  auto result = message.substr(start, end - start);
  result.erase(std::remove(result.begin(), result.end(), ' '), result.end());
  return " near [" + result + "]";
}

/// The problem `failure` of `g`, a `type` geometry, in words.
template <class T>
std::string explain(const T& g, geometry_type type,
                    bg::validity_failure_type failure) {
  auto name = std::string{to_string(type)};
  std::string message;
  switch (failure) {
    case bg::failure_few_points:
      return dimension<T> == 1 ? "a LineString needs 2 distinct positions"
                               : "a polygon ring needs 3 distinct positions";
    case bg::failure_wrong_topological_dimension:
      return dimension<T> == 1 ? "a LineString has zero length"
                               : "a polygon ring has zero area";
    case bg::failure_spikes:
      return "a polygon ring has a spike (an edge that turns straight back)";
    case bg::failure_self_intersections:
      bg::is_valid(g, message);
      return "self-intersecting " + name + ": rings cross or share an edge"
             + where(message);
    case bg::failure_wrong_orientation:
      // `bg::correct` has oriented every ring by its signed area, so the
      // area is 0: the ring crosses itself, as a figure 8.
      return "self-intersecting " + name + ": a ring crosses itself";
    case bg::failure_interior_rings_outside:
      return "a polygon hole lies outside its outer ring";
    case bg::failure_nested_interior_rings:
      return "a polygon hole lies inside another hole";
    case bg::failure_disconnected_interior:
      return "a polygon's holes cut its interior in pieces";
    case bg::failure_intersecting_interiors:
      return "the polygons of a MultiPolygon overlap";
    case bg::failure_invalid_coordinate:
      return "a coordinate is not a finite number";
    default:
      bg::is_valid(g, message);
      return "invalid " + name + ": " + message;
  }
}

} // namespace

double distance_m(twin::geo_point p, const geo_shape& shape) {
  if (!well_formed(shape) || !std::isfinite(p.lon) || !std::isfinite(p.lat))
    return std::numeric_limits<double>::quiet_NaN();
  double result = std::numeric_limits<double>::infinity();
  for (auto q : shape.points)
    result = std::min(result, twin::distance_m(p, q));
  if (shape.lines.empty() && shape.polygons.empty())
    return result;
  // The same shape a turn east or west may be nearer: only worth trying
  // when part of it lies more than half a turn away.
  auto box = bounds(shape);
  for (double shift : {0.0, -full_turn, full_turn}) {
    if ((shift < 0 && box.max_lon - p.lon <= half_turn)
        || (shift > 0 && p.lon - box.min_lon <= half_turn))
      continue;
    auto origin = xy{0, 0};
    try {
      auto g = to_flat(shape, metric_frame{p, shift});
      std::visit(
          [&](const auto& x) {
            result = std::min(result, bg::distance(origin, x));
          },
          g);
    } catch (const bg::exception&) {
      // Unreachable for parsed shapes; leaves the shape out of reach.
    }
  }
  return result;
}

bool intersects(const geo_shape& a, const geo_shape& b) {
  return relate(
      a, b, [](const auto& x, const auto& y) { return bg::intersects(x, y); });
}

bool disjoint(const geo_shape& a, const geo_shape& b) {
  return relate(
      a, b, [](const auto& x, const auto& y) { return bg::disjoint(x, y); });
}

bool within(const geo_shape& a, const geo_shape& b) {
  return relate(a, b, [](const auto& x, const auto& y) {
    using X = std::decay_t<decltype(x)>;
    using Y = std::decay_t<decltype(y)>;
    // OGC: the interior of a line is not inside points, nor a polygon's
    // inside a line (Boost 1.74 has no such overloads).
    if constexpr ((dimension<X>) > (dimension<Y>))
      return false;
    else
      return bg::within(x, y);
  });
}

namespace {

// OGC defines overlaps and equals between geometries of one dimension
// only (P/P, L/L, A/A); across dimensions both are false, and Boost 1.74
// has no overloads for those pairs.
template <class Predicate>
bool same_dimension(const geo_shape& a, const geo_shape& b, Predicate p) {
  return relate(a, b, [p](const auto& x, const auto& y) {
    using X = std::decay_t<decltype(x)>;
    using Y = std::decay_t<decltype(y)>;
    if constexpr (dimension<X> != dimension<Y>)
      return false;
    else
      return p(x, y);
  });
}

} // namespace

bool overlaps(const geo_shape& a, const geo_shape& b) {
  // A line across a polygon crosses it, and intersects it, but does not
  // overlap it.
  return same_dimension(a, b, [](const auto& x, const auto& y) {
    return bg::overlaps(x, y);
  });
}

bool equals(const geo_shape& a, const geo_shape& b) {
  // Non-empty point sets of different dimensions differ.
  return same_dimension(a, b, [](const auto& x, const auto& y) {
    return bg::equals(x, y);
  });
}

std::string invalidity(const geo_shape& shape) {
  if (!well_formed(shape))
    return "not a well-formed geometry";
  try {
    return std::visit(
        [&](const auto& g) -> std::string {
          bg::validity_failure_type failure = bg::no_failure;
          if (bg::is_valid(g, failure))
            return {};
          return explain(g, shape.type, failure);
        },
        to_flat(shape, plain));
  } catch (const bg::exception& e) {
    return std::string{"invalid geometry: "} + e.what();
  }
}

} // namespace citytwin::broker::detail
