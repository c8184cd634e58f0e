// tests/twin/import/tntp_network.cpp: TNTP rows to a twin road graph.
#include "twin/import/tntp_network.hpp"

#include "scenarios/assignment/tntp_reader.hpp"
#include "skip.hpp"
#include "test_data.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace citytwin;
using namespace citytwin::twin::import;

TEST_CASE("TNTP rows become segments whose free-flow time is kept",
          "[twin][import]") {
  std::vector<tntp_node> nodes{{1, 0, 0}, {2, 5280, 0}, {3, 5280, 5280}};
  // 1 mile in 1.5 min = 40 mph = 64.37 km/h; a zero-time connector.
  std::vector<tntp_link> links{{1, 2, 1800, 1, 1.5, 2}, {2, 3, 900, 0, 0, 0}};
  tntp_network_options opts;
  opts.coordinates = tntp_coordinates::planar;
  opts.anchor = twin::geo_point{-87.6, 41.8};
  opts.metres_per_unit = 0.3048; // feet, as in Chicago's node file
  auto net = convert_tntp(nodes, links, opts);
  REQUIRE(net);
  const auto* s0 = net->roads.find_segment(0);
  REQUIRE(s0 != nullptr);
  CHECK(s0->from == 1);
  CHECK(s0->lanes == 2);
  CHECK(s0->length_m == Approx(1609.344));
  CHECK(s0->free_flow_s() == Approx(90));
  CHECK(s0->capacity_veh_h == 1800);
  // 5280 ft = 1 mile east of the anchor.
  auto east = net->roads.find_intersection(2)->where;
  CHECK(twin::distance_m(opts.anchor, east)
        == Approx(1609.344).epsilon(1e-4));
  const auto* s1 = net->roads.find_segment(1);
  CHECK(s1->length_m == 1);         // floored
  CHECK(s1->speed_limit_kmh == 300); // capped
  CHECK(net->report.num_length_floored == 1);
  CHECK(net->report.num_speed_capped == 1);
}

TEST_CASE("TNTP rows that do not fit the twin are all reported",
          "[twin][import]") {
  std::vector<tntp_node> nodes{{1, -96.7, 43.6}, {1, -96.8, 43.6}, {2, 500, 0}};
  std::vector<tntp_link> links{{1, 3, 100, 1, 1, 0}, {1, 2, -5, 1, 1, 0}};
  auto net = convert_tntp(nodes, links, {});
  REQUIRE_FALSE(net);
  auto why = twin::describe(net.error());
  CHECK_THAT(why, Catch::Contains("node 1: duplicate"));
  CHECK_THAT(why, Catch::Contains("node 2: position is not a valid lon/lat"));
  CHECK_THAT(why, Catch::Contains("link 1 (1 -> 3): names a node"));
  CHECK_THAT(why, Catch::Contains("link 2 (1 -> 2): names a node"));
}

TEST_CASE("SiouxFalls converts with every free-flow time intact",
          "[twin][import]") {
  namespace sa = scenarios::assignment;
  auto dir = std::filesystem::path{test::shared_data_dir()} / "tntp/SiouxFalls";
  test::require_path(dir / "SiouxFalls_node.tntp", test::shared_data_hint);
  auto network = sa::read_network(dir / "SiouxFalls_net.tntp");
  auto positions = sa::read_nodes(dir / "SiouxFalls_node.tntp");
  REQUIRE(network);
  REQUIRE(positions);
  // The assignment module numbers nodes from 0; TNTP files from 1.
  std::vector<tntp_node> nodes;
  for (const auto& p : positions.value())
    nodes.push_back({static_cast<uint32_t>(p.node + 1), p.x, p.y});
  std::vector<tntp_link> links;
  for (const auto& l : network.value().links())
    links.push_back({static_cast<uint32_t>(l.from + 1),
                     static_cast<uint32_t>(l.to + 1), l.capacity, l.length,
                     l.free_flow_time, 0});
  tntp_network_options opts; // lon/lat nodes; lengths and times as given
  auto net = convert_tntp(nodes, links, opts);
  INFO((net ? std::string{} : twin::describe(net.error())));
  REQUIRE(net);
  // <NUMBER OF NODES> 24 and <NUMBER OF LINKS> 76 in SiouxFalls_net.tntp.
  CHECK(net->roads.num_intersections() == 24);
  CHECK(net->roads.num_segments() == 76);
  CHECK(net->report.num_speed_capped == 0);
  for (size_t i = 0; i < links.size(); ++i)
    CHECK(net->roads.find_segment(static_cast<uint32_t>(i))->free_flow_s()
          == Approx(links[i].free_flow_time * 60));
}
