// tests/twin/rules/city_index.cpp
// The neighbourhoods rules ask about (twin/rules/city_index), checked
// against brute force over the city, and the order of collection routes
// (twin/rules/collection_route).

#include "twin/rules/city_index.hpp"
#include "tests/test_data.hpp"
#include "twin/city_file.hpp"
#include "twin/rules/collection_route.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

using namespace citytwin;
using twin::entity_id;
using twin::entity_kind;

namespace {

twin::city demo_city() {
  auto c = twin::load_city(test::project_data_dir() + "/demo.city");
  REQUIRE(c);
  return std::move(*c);
}

// The flat projection of the index and the haversine distance of the test
// differ by far less than a metre within a city.
constexpr double slack_m = 1.0;

// Every entity of `kind` with its distance from `where`, nearest first.
std::vector<std::pair<double, entity_id>>
by_distance(const rules::city_index& index, twin::geo_point where,
            entity_kind kind) {
  std::vector<std::pair<double, entity_id>> result;
  for (auto id : index.all(kind))
    result.emplace_back(twin::distance_m(*index.position(id), where), id);
  std::sort(result.begin(), result.end());
  return result;
}

bool contains(const std::vector<entity_id>& xs, entity_id x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

} // namespace

TEST_CASE("city index: approaching and leaving follow the road graph",
          "[twin][rules]") {
  auto city = test::small_city();
  rules::city_index index{city};
  size_t checked = 0;
  for (auto v : index.all(entity_kind::intersection)) {
    auto in = index.approaching(v);
    auto out = index.leaving(v);
    REQUIRE(in.size() == city.roads.in_segments(v.number).size());
    REQUIRE(out.size() == city.roads.out_segments(v.number).size());
    for (size_t j = 0; j < in.size(); ++j) {
      CHECK(in[j].kind == entity_kind::road_segment);
      CHECK(in[j].number == city.roads.in_segments(v.number)[j]);
      CHECK(city.roads.find_segment(in[j].number)->to == v.number);
    }
    for (size_t j = 0; j < out.size(); ++j) {
      CHECK(out[j].number == city.roads.out_segments(v.number)[j]);
      CHECK(city.roads.find_segment(out[j].number)->from == v.number);
    }
    checked += in.size();
  }
  // Every segment enters exactly one intersection.
  CHECK(checked == city.roads.num_segments());
  // Only intersections have approaches.
  CHECK(index.approaching({entity_kind::road_segment, 0}).empty());
  CHECK(index.leaving({entity_kind::intersection, 999}).empty());
}

TEST_CASE("city index: along gives the asked kind beside that segment",
          "[twin][rules]") {
  auto city = test::small_city();
  rules::city_index index{city};
  size_t found = 0;
  for (auto seg : index.all(entity_kind::road_segment))
    for (auto kind : twin::all_entity_kinds) {
      std::vector<entity_id> expected;
      for (const auto& p : city.things)
        if (p.segment == seg.number && p.id.kind == kind)
          expected.push_back(p.id);
      std::sort(expected.begin(), expected.end()); // by number
      INFO("segment " << seg.number << ", " << twin::to_string(kind));
      auto got = index.along(seg, kind);
      CHECK(got == expected);
      for (auto id : got)
        CHECK(index.segment_of(id) == seg);
      found += got.size();
    }
  // Everything placed stands beside some segment.
  CHECK(found == city.things.size());
  // Lamp 2 stands by segment 4 (see tests/twin/rules/engine_lifecycle.cpp).
  CHECK(index.along({entity_kind::road_segment, 4}, entity_kind::street_lamp)
        == std::vector<entity_id>{{entity_kind::street_lamp, 2}});
  CHECK(index.along({entity_kind::intersection, 4}, entity_kind::street_lamp)
            .empty());
}

TEST_CASE("city index: within is exact, complete and nearest first",
          "[twin][rules]") {
  auto city = demo_city();
  rules::city_index index{city};
  auto lamps = index.all(entity_kind::street_lamp);
  auto bins = index.all(entity_kind::waste_bin);
  REQUIRE(lamps.size() == 5000);
  std::vector<twin::geo_point> centres
      = {city.center, *index.position(lamps[0]), *index.position(lamps[2500]),
         *index.position(bins[100])};
  size_t total = 0;
  for (auto where : centres)
    for (auto kind : {entity_kind::street_lamp, entity_kind::waste_bin,
                      entity_kind::road_segment})
      for (double radius : {30.0, 150.0, 600.0}) {
        INFO(twin::to_string(kind) << " within " << radius << " m of "
                                   << where.lon << "," << where.lat);
        auto got = index.within(where, radius, kind);
        double last = 0;
        for (auto id : got) {
          CHECK(id.kind == kind);
          auto d = twin::distance_m(*index.position(id), where);
          CHECK(d <= radius + slack_m);
          CHECK(d >= last - slack_m);
          last = d;
        }
        for (auto& [d, id] : by_distance(index, where, kind)) {
          if (d > radius - slack_m)
            break;
          CHECK(contains(got, id));
        }
        auto unique = got;
        std::sort(unique.begin(), unique.end());
        CHECK(std::adjacent_find(unique.begin(), unique.end()) == unique.end());
        total += got.size();
      }
  CHECK(total > 100); // the test looked at something
}

TEST_CASE("city index: nearest equals the brute-force k nearest",
          "[twin][rules]") {
  auto city = demo_city();
  rules::city_index index{city};
  auto parks = index.all(entity_kind::parking_sensor);
  auto lamps = index.all(entity_kind::street_lamp);
  REQUIRE(lamps.size() > 1234);
  for (auto kind : {entity_kind::street_lamp, entity_kind::parking_sensor,
                    entity_kind::intersection})
    for (auto anchor : {parks[0], parks[20], lamps[1234]})
      for (uint32_t k : {1u, 5u, 12u}) {
        INFO(twin::to_string(kind)
             << " k=" << k << " near " << twin::to_string(anchor.kind) << " "
             << anchor.number);
        auto where = *index.position(anchor);
        auto got = index.nearest(where, k, kind, anchor);
        auto brute = by_distance(index, where, kind);
        std::erase_if(brute, [&](auto& x) { return x.second == anchor; });
        REQUIRE(got.size() == std::min<size_t>(k, brute.size()));
        CHECK_FALSE(contains(got, anchor));
        // Same distances in the same order (equally distant ones, such as
        // a lamp's two neighbours, may come either way round) ...
        for (size_t i = 0; i < got.size(); ++i)
          CHECK(twin::distance_m(*index.position(got[i]), where)
                == Approx(brute[i].first).margin(slack_m));
        // ... and everything clearly nearer than the k-th is there.
        for (size_t i = 0; i < got.size(); ++i)
          if (brute[i].first < brute[got.size() - 1].first - slack_m)
            CHECK(contains(got, brute[i].second));
      }
}

TEST_CASE("city index: positions", "[twin][rules]") {
  auto city = demo_city();
  rules::city_index index{city};
  for (const auto* s : city.roads.segments()) {
    INFO("segment " << s->number);
    auto p = index.position({entity_kind::road_segment, s->number});
    REQUIRE(p);
    auto line = city.roads.geometry(*s);
    double total = 0;
    for (size_t i = 1; i < line.size(); ++i)
      total += twin::distance_m(line[i - 1], line[i]);
    // On the polyline, half its length from the start.
    double before = 0;
    bool on_line = false;
    for (size_t i = 1; i < line.size() && !on_line; ++i) {
      auto piece = twin::distance_m(line[i - 1], line[i]);
      auto to_p = twin::distance_m(line[i - 1], *p);
      // Centimetres: interpolating degrees is not quite a great circle.
      if (to_p + twin::distance_m(*p, line[i]) - piece < 0.1) {
        on_line = true;
        CHECK(before + to_p == Approx(total / 2).margin(0.1));
      }
      before += piece;
    }
    CHECK(on_line);
  }
  const auto& thing = city.things[17];
  CHECK(index.position(thing.id) == thing.where);
  CHECK(index.segment_of(thing.id)
        == entity_id{entity_kind::road_segment, thing.segment});
  auto v = city.roads.intersections()[3];
  CHECK(index.position({entity_kind::intersection, v->number}) == v->where);
  CHECK_FALSE(index.position({entity_kind::street_lamp, 999'999}));
  CHECK_FALSE(index.contains({entity_kind::street_lamp, 999'999}));
  CHECK_FALSE(index.segment_of({entity_kind::road_segment, 3}));
}

TEST_CASE("collection route: every bin once, from the centre, by road",
          "[twin][rules]") {
  auto city = demo_city();
  rules::city_index index{city};
  auto all = index.all(entity_kind::waste_bin);
  std::vector<entity_id> bins;
  for (size_t i = 0; i < all.size(); i += 25)
    bins.push_back(all[i]); // 20 bins spread over the city
  auto shuffled = bins;
  std::reverse(shuffled.begin(), shuffled.end());
  shuffled.push_back(bins[3]); // twice: still one stop
  auto route = rules::order_collection(index, shuffled);
  auto stops = route.stops;
  std::sort(stops.begin(), stops.end());
  CHECK(stops == bins);
  auto from_centre = [&](entity_id b) {
    return twin::distance_m(*index.position(b), city.center);
  };
  for (auto b : bins)
    CHECK(from_centre(route.stops.front()) <= from_centre(b));
  CHECK(std::isfinite(route.length_m));
  CHECK(route.length_m > 0);
  SECTION("an unknown bin comes last, one bin makes no route") {
    entity_id ghost{entity_kind::waste_bin, 999'999};
    auto r = rules::order_collection(index, {ghost, bins[0], bins[1]});
    REQUIRE(r.stops.size() == 3);
    CHECK(r.stops.back() == ghost);
    auto one = rules::order_collection(index, {bins[0]});
    CHECK(one.stops == std::vector<entity_id>{bins[0]});
    CHECK(one.length_m == 0);
    CHECK(rules::order_collection(index, {}).stops.empty());
  }
}
