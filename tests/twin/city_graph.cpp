// tests/twin/city_graph.cpp
#include "twin/city_graph.hpp"

#include <catch2/catch.hpp>

using namespace citytwin::twin;

namespace {

// Four intersections on a line plus a slow shortcut:
//   0 --(a 50 km/h, 500 m)--> 1 --(b 50, 500)--> 2 --(c 50, 500)--> 3
//   0 --(d 10 km/h, 800 m)--> 3          and 3 --(e 50, 1500)--> 0
city_graph make_graph() {
  city_graph g;
  for (uint32_t v = 0; v < 4; ++v)
    REQUIRE(g.add_intersection({v, offset({10, 56}, 500.0 * v, 0), 0}));
  auto seg = [&](uint32_t n, uint32_t from, uint32_t to, double len,
                 double speed) {
    segment_info s;
    s.number = n;
    s.from = from;
    s.to = to;
    s.length_m = len;
    s.speed_limit_kmh = speed;
    REQUIRE(g.add_segment(s));
  };
  seg(10, 0, 1, 500, 50);
  seg(11, 1, 2, 500, 50);
  seg(12, 2, 3, 500, 50);
  seg(13, 0, 3, 800, 10);
  seg(14, 3, 0, 1500, 50);
  return g;
}

} // namespace

TEST_CASE("the graph answers adjacency queries by entity number", "[twin]") {
  auto g = make_graph();
  CHECK(g.num_intersections() == 4);
  CHECK(g.num_segments() == 5);
  CHECK(g.out_segments(0) == std::vector<uint32_t>{10, 13});
  CHECK(g.in_segments(3) == std::vector<uint32_t>{12, 13});
  CHECK(g.out_segments(99).empty());
  CHECK(g.find_segment(11)->from == 1);
  CHECK(g.find_segment(99) == nullptr);
  CHECK(g.total_length_m() == 3800);
}

TEST_CASE("the graph refuses duplicates and dangling segments", "[twin]") {
  auto g = make_graph();
  CHECK_FALSE(g.add_intersection({2, {10, 56}, 0}));
  segment_info dangling;
  dangling.number = 20;
  dangling.from = 0;
  dangling.to = 42;
  CHECK_FALSE(g.add_segment(dangling));
  segment_info duplicate;
  duplicate.number = 10;
  CHECK_FALSE(g.add_segment(duplicate));
  CHECK(g.num_segments() == 5);
}

TEST_CASE("fastest routes follow speed limits, not distance", "[twin]") {
  auto g = make_graph();
  // 1500 m at 50 km/h (108 s) beats 800 m at 10 km/h (288 s).
  auto route = g.fastest_route(0, 3);
  REQUIRE(route);
  CHECK(*route == std::vector<uint32_t>{10, 11, 12});
  CHECK(g.fastest_route(3, 1) == std::vector<uint32_t>{14, 10});
  CHECK(g.fastest_route(2, 2) == std::vector<uint32_t>{});
  CHECK_FALSE(g.fastest_route(0, 77));
}

TEST_CASE("reachability follows segment directions", "[twin]") {
  auto g = make_graph();
  CHECK(g.num_reachable(0) == 4);
  REQUIRE(g.add_intersection({4, {10.1, 56}, 0}));
  segment_info out;
  out.number = 30;
  out.from = 4;
  out.to = 0;
  out.length_m = 100;
  REQUIRE(g.add_segment(out));
  CHECK(g.num_reachable(0) == 4); // 4 feeds the network, cannot be reached
  CHECK(g.num_reachable(4) == 5);
  CHECK_FALSE(g.fastest_route(0, 4));
}

TEST_CASE("geometry runs from intersection through shape points", "[twin]") {
  auto g = make_graph();
  auto line = g.geometry(*g.find_segment(10));
  REQUIRE(line.size() == 2);
  CHECK(line.front() == g.find_intersection(0)->where);
  CHECK(line.back() == g.find_intersection(1)->where);
  CHECK(distance_m(line.front(), line.back()) == Approx(500).epsilon(0.001));
}
