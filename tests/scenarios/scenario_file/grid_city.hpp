// tests/scenarios/scenario_file/grid_city.hpp: a small hand-made town for
// the scenario file tests, every number known.
#pragma once

#include "twin/city.hpp"
#include "twin/geo.hpp"

#include <cstdint>
#include <string>

namespace citytwin::test {

/// Intersections per side of `grid_city`.
constexpr uint32_t grid_side = 4;

/// Metres between neighbouring intersections of `grid_city`.
constexpr double grid_spacing_m = 200;

/// A 4 x 4 grid of two-way streets 200 m apart, south-west corner at lon
/// 10, lat 56: intersection `row * 4 + col` (row 0 south, col 0 west).
/// East-west streets are named "Row <r>" and have 2 lanes, north-south
/// ones "Col <c>" and 1 lane. Intersection 5 is signalised (4 phases).
/// Things: street lamp 0 and traffic counter 0 beside segment 0.
inline twin::city grid_city() {
  twin::city result;
  result.name = "grid";
  result.center = {10.0, 56.0};
  twin::geo_point corner{10.0, 56.0};
  for (uint32_t r = 0; r < grid_side; ++r)
    for (uint32_t c = 0; c < grid_side; ++c) {
      twin::intersection_info x;
      x.number = r * grid_side + c;
      x.where = twin::offset(corner, c * grid_spacing_m, r * grid_spacing_m);
      x.num_phases = x.number == 5 ? 4 : 0;
      result.roads.add_intersection(x);
    }
  uint32_t next = 0;
  auto street
      = [&](uint32_t a, uint32_t b, const std::string& name, uint8_t lanes) {
          for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
            twin::segment_info s;
            s.number = next++;
            s.from = from;
            s.to = to;
            s.length_m = grid_spacing_m;
            s.lanes = lanes;
            s.capacity_veh_h = 900.0 * lanes;
            s.name = name;
            result.roads.add_segment(s);
          }
        };
  for (uint32_t r = 0; r < grid_side; ++r)
    for (uint32_t c = 0; c + 1 < grid_side; ++c)
      street(r * grid_side + c, r * grid_side + c + 1,
             "Row " + std::to_string(r), 2);
  for (uint32_t c = 0; c < grid_side; ++c)
    for (uint32_t r = 0; r + 1 < grid_side; ++r)
      street(r * grid_side + c, (r + 1) * grid_side + c,
             "Col " + std::to_string(c), 1);
  result.things.push_back(
      {{twin::entity_kind::street_lamp, 0}, 0, {10.001, 56.0}, 40});
  result.things.push_back(
      {{twin::entity_kind::traffic_counter, 0}, 0, {10.001, 56.0}, 0});
  return result;
}

/// The segment from intersection `from` to `to` of `c`.
inline uint32_t segment_between(const twin::city& c, uint32_t from,
                                uint32_t to) {
  for (auto s : c.roads.out_segments(from))
    if (c.roads.find_segment(s)->to == to)
      return s;
  throw std::logic_error("no such segment"); // a typo in a test
}

} // namespace citytwin::test
