// tests/twin/import/sumo_network.cpp: SUMO .net.xml import.
#include "twin/import/sumo_network.hpp"

#include "sumo_test_files.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace citytwin;
using namespace citytwin::twin::import;
using citytwin::test::sumo_real_world;
using citytwin::test::write_temp;

namespace {

// The Bologna nets have no projection (projParameter="!"). The anchor is
// an input, roughly the Andrea Costa district; no test checks positions.
sumo_network_options bologna() {
  sumo_network_options result;
  result.anchor = twin::geo_point{11.30, 44.49};
  return result;
}

// Two priority junctions around one signal: a -> tl -> b and back, plus
// an internal edge and junction, a crossing and an unknown element.
const std::string small_net = R"(<?xml version="1.0" encoding="UTF-8"?>
<net version="1.9">
  <location netOffset="0.00,0.00" convBoundary="0,0,200,0" origBoundary="0,0,200,0" projParameter="!"/>
  <type id="t" priority="1" numLanes="1" speed="13.89"/>
  <edge id=":tl_0" function="internal">
    <lane id=":tl_0_0" index="0" speed="13.89" length="5.00" shape="98,0 102,0"/>
  </edge>
  <edge id=":c0" function="crossing" crossingEdges="in out">
    <lane id=":c0_0" index="0" speed="1" length="4" shape="100,-2 100,2"/>
  </edge>
  <edge id="in" from="a" to="tl" priority="1" name="Via Costa" shape="0,0 50,10 100,0">
    <lane id="in_0" index="0" speed="13.89" length="110.00" shape="0,0 100,0"/>
    <lane id="in_1" index="1" speed="11.11" length="110.00" shape="0,0 100,0"/>
  </edge>
  <edge id="out" from="tl" to="b" priority="1">
    <lane id="out_0" index="0" speed="13.89" length="100.00" shape="100,0 200,0"/>
  </edge>
  <tlLogic id="tl" type="static" programID="0" offset="0">
    <phase duration="31" state="G"/>
    <phase duration="4" state="y"/>
    <phase duration="25" state="r"/>
  </tlLogic>
  <junction id="a" type="dead_end" x="0.00" y="0.00" incLanes="" intLanes="" shape=""/>
  <junction id="tl" type="traffic_light" x="100.00" y="0.00" incLanes="in_0" intLanes=":tl_0_0" shape="">
    <request index="0" response="0" foes="0" cont="0"/>
  </junction>
  <junction id=":tl_0_0" type="internal" x="100.00" y="0.00" incLanes="" intLanes=""/>
  <junction id="b" type="dead_end" x="200.00" y="0.00" incLanes="out_0" intLanes="" shape=""/>
  <connection from="in" to="out" fromLane="0" toLane="0" via=":tl_0_0" tl="tl" linkIndex="0" dir="s" state="o"/>
  <connection from=":tl_0" to="out" fromLane="0" toLane="0" dir="s" state="M"/>
  <mystery/>
</net>
)";

caf::expected<sumo_network> read_net(const std::string& text,
                                     const sumo_network_options& opts) {
  std::istringstream in{text};
  return read_sumo_network(in, "small.net.xml", opts);
}

// The error text of a net that must not load.
std::string failure_of(const std::string& text,
                       const sumo_network_options& opts) {
  auto path = write_temp("bad.net.xml", text);
  auto result = load_sumo_network(path, opts);
  REQUIRE_FALSE(result);
  CHECK(static_cast<twin::errc>(result.error().code())
        == twin::errc::invalid_city);
  return twin::describe(result.error());
}

void replace(std::string& text, const std::string& from,
             const std::string& to) {
  auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
}

} // namespace

TEST_CASE("a small SUMO net imports with its signal and turns",
          "[twin][import]") {
  auto net = read_net(small_net, bologna());
  REQUIRE(net);
  const auto& r = net->report;
  CHECK(r.version == "1.9");
  CHECK(r.num_edges == 2);
  CHECK(r.num_lanes == 3);
  CHECK(r.num_junctions == 3); // a, tl, b; ":tl_0_0" is internal
  CHECK(r.num_internal_junctions == 1);
  CHECK(r.num_internal_edges == 1);
  CHECK(r.num_crossings == 1);
  CHECK(r.num_traffic_lights == 1);
  CHECK(r.num_tl_logics == 1);
  CHECK(r.num_connections == 1);          // in -> out
  CHECK(r.num_internal_connections == 1); // :tl_0 -> out
  REQUIRE(r.warnings.size() == 1);        // <mystery>, with its line
  CHECK(r.warnings[0] == "small.net.xml:31: unknown element <mystery> ignored");
  auto tl = net->intersection_by_junction.at("tl");
  CHECK(net->roads.find_intersection(tl)->num_phases == 3);
  CHECK(net->roads.find_intersection(net->intersection_by_junction.at("a"))
          ->num_phases
        == 0);
  const auto* in = net->roads.find_segment(net->segment_by_edge.at("in"));
  REQUIRE(in != nullptr);
  CHECK(in->lanes == 2);
  CHECK(in->length_m == 110.0);                         // lane 0's length
  CHECK(in->speed_limit_kmh == Approx(13.89 * 3.6));    // fastest lane
  // Signalised: 1800 veh/h x g/C per lane. Lane 0's link is G 31 s of
  // the 60 s cycle; lane 1 has no connection and adds nothing.
  CHECK(in->capacity_veh_h == Approx(1800 * 31 / 60.0));
  CHECK(net->segment_details[in->number].green_share == Approx(31 / 120.0));
  CHECK(in->name == "Via Costa");
  REQUIRE(in->shape.size() == 1); // the edge shape's one inner point
  // 50 m east and 10 m north of the anchor.
  CHECK(twin::distance_m(in->shape[0], twin::offset(*bologna().anchor, 50, 10))
        < 1e-6);
  const auto* out = net->roads.find_segment(net->segment_by_edge.at("out"));
  CHECK(out->capacity_veh_h == 1800.0); // no connections: never yields
  CHECK(net->roads.find_intersection(out->to)->where.lon
        > net->roads.find_intersection(out->from)->where.lon);
  REQUIRE(net->connections.size() == 1);
  CHECK(net->connections[0].tl == "tl");
  CHECK(net->connections[0].link_index == 0);
}

TEST_CASE("SUMO nets that must not load say why and where",
          "[twin][import]") {
  auto opts = bologna();
  SECTION("truncated XML") {
    auto text = small_net.substr(0, small_net.find("<junction id=\"b\""));
    auto why = failure_of(text, opts);
    CHECK_THAT(why, Catch::Contains("malformed XML"));
    CHECK_THAT(why, Catch::Contains("bad.net.xml:"));
  }
  SECTION("wrong root element") {
    auto why = failure_of("<routes>\n<vehicle id='x' depart='0'/>\n</routes>",
                          opts);
    CHECK_THAT(why, Catch::Contains("bad.net.xml:1: not a SUMO network: "
                                    "root element is <routes>"));
  }
  SECTION("unknown version") {
    auto text = small_net;
    replace(text, "version=\"1.9\"", "version=\"2.3\"");
    CHECK_THAT(failure_of(text, opts),
               Catch::Contains("bad.net.xml:2: unsupported net version '2.3'"));
  }
  SECTION("edge referencing a missing junction") {
    auto text = small_net;
    replace(text, "<edge id=\"out\" from=\"tl\" to=\"b\"",
            "<edge id=\"out\" from=\"tl\" to=\"nowhere\"");
    CHECK_THAT(failure_of(text, opts),
               Catch::Contains("bad.net.xml:15: edge 'out' references "
                               "missing junction 'nowhere'"));
  }
  SECTION("every problem is listed") {
    auto text = small_net;
    replace(text, "length=\"100.00\"", "length=\"far\"");
    replace(text, "<junction id=\"b\" type=\"dead_end\" x=\"200.00\"",
            "<junction id=\"b\" type=\"dead_end\"");
    auto why = failure_of(text, opts);
    CHECK_THAT(why, Catch::Contains("bad.net.xml:16: <lane> attribute "
                                    "'length' is not a number: 'far'"));
    CHECK_THAT(why, Catch::Contains("bad.net.xml:28: <junction> lacks 'x'"));
  }
  SECTION("no anchor for a net without projection") {
    CHECK_THAT(failure_of(small_net, {}),
               Catch::Contains("no geographic reference"));
  }
  SECTION("unsupported projection") {
    auto text = small_net;
    replace(text, "projParameter=\"!\"",
            "projParameter=\"+proj=lcc +lat_1=33 +lat_2=45\"");
    CHECK_THAT(failure_of(text, opts),
               Catch::Contains("bad.net.xml:3: invalid_config: unsupported "
                               "SUMO projection"));
  }
}

TEST_CASE("net versions from 0.13 to 1.20 are supported", "[twin][import]") {
  CHECK(supported_net_version("0.13"));
  CHECK(supported_net_version("1.1"));
  CHECK(supported_net_version("1.20"));
  CHECK_FALSE(supported_net_version("0.12"));
  CHECK_FALSE(supported_net_version("1.21"));
  CHECK_FALSE(supported_net_version("2.0"));
  CHECK_FALSE(supported_net_version("1"));
  CHECK_FALSE(supported_net_version("1.x"));
}
