// tests/twin/import/sumo_signals.cpp: joined traffic lights, green
// splits, via lengths and additional-file programs of a SUMO import.
#include "twin/import/sumo_tl_programs.hpp"

#include "skip.hpp"
#include "sumo_test_files.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace citytwin;
using namespace citytwin::twin::import;

namespace {

sumo_network_options bologna() {
  sumo_network_options result;
  result.anchor = twin::geo_point{11.30, 44.49};
  return result;
}

// a -in-> J1 -mid-> J2 -out-> u -end-> b. One program, "joint", controls
// J1 (links 0, 1) and J2 (link 2): a joined TLS; neither junction id is
// the program id. Lane 0 of `in` is a bus lane. J2's way across chains
// through an internal junction (:J2_0 then :J2_1). u is typed
// traffic_light, but no connection names a program.
const std::string joined_net = R"(<net version="1.9">
  <location netOffset="0.00,0.00" convBoundary="0,0,400,0" origBoundary="0,0,400,0" projParameter="!"/>
  <edge id=":J1_0" function="internal">
    <lane id=":J1_0_0" index="0" speed="13.89" length="4.00" shape="98,0 102,0"/>
    <lane id=":J1_0_1" index="1" speed="13.89" length="6.00" shape="98,0 102,0"/>
  </edge>
  <edge id=":J2_0" function="internal">
    <lane id=":J2_0_0" index="0" speed="13.89" length="3.00" shape="198,0 200,0"/>
  </edge>
  <edge id=":J2_1" function="internal">
    <lane id=":J2_1_0" index="0" speed="13.89" length="2.50" shape="200,0 202,0"/>
  </edge>
  <edge id=":u_0" function="internal">
    <lane id=":u_0_0" index="0" speed="13.89" length="1.00" shape="299,0 301,0"/>
  </edge>
  <edge id="in" from="a" to="J1" priority="1">
    <lane id="in_0" index="0" allow="bus" speed="13.89" length="100.00" shape="0,0 100,0"/>
    <lane id="in_1" index="1" speed="13.89" length="100.00" shape="0,0 100,0"/>
  </edge>
  <edge id="mid" from="J1" to="J2" priority="1">
    <lane id="mid_0" index="0" speed="13.89" length="100.00" shape="100,0 200,0"/>
  </edge>
  <edge id="out" from="J2" to="u" priority="1">
    <lane id="out_0" index="0" speed="13.89" length="50.00" shape="200,0 300,0"/>
  </edge>
  <edge id="end" from="u" to="b" priority="1">
    <lane id="end_0" index="0" disallow="bus" speed="13.89" length="50.00" shape="300,0 400,0"/>
  </edge>
  <tlLogic id="joint" type="static" programID="0" offset="0">
    <phase duration="30" state="GGr"/>
    <phase duration="5" state="yyr"/>
    <phase duration="20" state="rrG"/>
    <phase duration="5" state="rry"/>
  </tlLogic>
  <junction id="a" type="dead_end" x="0.00" y="0.00"/>
  <junction id="J1" type="traffic_light" x="100.00" y="0.00"/>
  <junction id="J2" type="traffic_light" x="200.00" y="0.00"/>
  <junction id=":J2_1_0" type="internal" x="200.00" y="0.00"/>
  <junction id="u" type="traffic_light" x="300.00" y="0.00"/>
  <junction id="b" type="dead_end" x="400.00" y="0.00"/>
  <connection from="in" to="mid" fromLane="0" toLane="0" via=":J1_0_0" tl="joint" linkIndex="0" dir="s" state="o"/>
  <connection from="in" to="mid" fromLane="1" toLane="0" via=":J1_0_1" tl="joint" linkIndex="1" dir="s" state="o"/>
  <connection from="mid" to="out" fromLane="0" toLane="0" via=":J2_0_0" tl="joint" linkIndex="2" dir="s" state="o"/>
  <connection from="out" to="end" fromLane="0" toLane="0" via=":u_0_0" dir="s" state="M"/>
  <connection from=":J1_0" to="mid" fromLane="0" toLane="0" dir="s" state="M"/>
  <connection from=":J1_0" to="mid" fromLane="1" toLane="0" dir="s" state="M"/>
  <connection from=":J2_0" to="out" fromLane="0" toLane="0" via=":J2_1_0" dir="s" state="M"/>
  <connection from=":J2_1" to="out" fromLane="0" toLane="0" dir="s" state="M"/>
  <connection from=":u_0" to="end" fromLane="0" toLane="0" dir="s" state="M"/>
</net>
)";

void replace(std::string& text, const std::string& from,
             const std::string& to) {
  auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  text.replace(pos, from.size(), to);
}

sumo_network read_net(const std::string& text) {
  std::istringstream in{text};
  auto result = read_sumo_network(in, "joined.net.xml", bologna());
  INFO((result ? std::string{} : twin::describe(result.error())));
  REQUIRE(result);
  return std::move(*result);
}

caf::expected<sumo_tl_programs_report> merge(sumo_network& net,
                                             const std::string& text) {
  std::istringstream in{text};
  return read_sumo_tl_programs(in, "tls.add.xml", net);
}

const twin::segment_info& segment(const sumo_network& net,
                                  const std::string& edge) {
  return *net.roads.find_segment(net.segment_by_edge.at(edge));
}

const sumo_segment_details& details(const sumo_network& net,
                                    const std::string& edge) {
  return net.segment_details.at(net.segment_by_edge.at(edge));
}

int phases(const sumo_network& net, const std::string& junction) {
  return net.roads.find_intersection(net.intersection_by_junction.at(junction))
      ->num_phases;
}

} // namespace

TEST_CASE("a joined traffic light signals every junction it controls",
          "[twin][import]") {
  auto net = read_net(joined_net);
  const auto& r = net.report;
  CHECK(r.warnings.empty());        // u is uncontrolled in SUMO too: no doubt
  CHECK(r.num_traffic_lights == 3); // J1, J2, u
  CHECK(r.num_joined_signals == 2); // J1 and J2 share "joint"
  CHECK(r.num_uncontrolled_traffic_lights == 1); // u
  CHECK(phases(net, "J1") == 4);
  CHECK(phases(net, "J2") == 4);
  CHECK(phases(net, "u") == 0);
  CHECK(net.junction_tl.at(net.intersection_by_junction.at("J2")) == "joint");
  CHECK(net.active_program.at("joint") == 0);
}

TEST_CASE("signal green splits size the approaches", "[twin][import]") {
  auto net = read_net(joined_net);
  // `in`: lane 0 is a bus lane, so one car lane; it keeps `lanes` = 2.
  // Its car lane's link 1 is green 30 s of the 60 s cycle (yellow counts
  // as lost time): 1800 x 30/60.
  const auto& in = segment(net, "in");
  CHECK(in.lanes == 2);
  CHECK(details(net, "in").car_lanes == 1);
  CHECK(details(net, "in").car_lane_mask == 0b10);
  CHECK(details(net, "in").signalised);
  CHECK(details(net, "in").green_share == Approx(0.5));
  CHECK(details(net, "in").cycle_s == 60);
  CHECK(in.capacity_veh_h == Approx(900));
  // `mid`: link 2 green 20 of 60 s.
  CHECK(details(net, "mid").green_share == Approx(1.0 / 3));
  CHECK(segment(net, "mid").capacity_veh_h == Approx(600));
  // `out` (all links major, no tl) and `end` (no links): priority roads.
  CHECK_FALSE(details(net, "out").signalised);
  CHECK(details(net, "out").green_share == 1);
  CHECK(segment(net, "out").capacity_veh_h == 1800);
  CHECK(segment(net, "end").capacity_veh_h == 1800);
  const auto& r = net.report;
  CHECK(r.num_signalised_segments == 2);
  CHECK(r.num_priority_segments == 2);
  CHECK(r.num_car_lanes == 4); // 5 lanes, one bus lane
  CHECK(r.num_car_free_segments == 0);
}

TEST_CASE("routes include the way across junctions", "[twin][import]") {
  auto net = read_net(joined_net);
  // in -> mid: two lane connections, via 4 m and 6 m: mean 5 m. mid ->
  // out: via :J2_0_0 (3 m), which chains to :J2_1_0 (2.5 m). out -> end:
  // 1 m.
  CHECK(net.connections[0].via == ":J1_0_0");
  CHECK(net.connections[0].via_length_m == 4);
  CHECK(net.connections[2].via_length_m == Approx(5.5));
  CHECK(details(net, "in").junction_length_m == Approx(5));
  CHECK(details(net, "mid").junction_length_m == Approx(5.5));
  CHECK(details(net, "end").junction_length_m == 0);
  auto id = [&](const char* edge) { return net.segment_by_edge.at(edge); };
  // Edges 100 + 100 + 50 + 50, junctions 5 + 5.5 + 1.
  auto length = net.route_length_m({id("in"), id("mid"), id("out"), id("end")});
  REQUIRE(length);
  CHECK(*length == Approx(311.5));
  CHECK(segment(net, "in").length_m == 100); // edge length, as before
  CHECK_FALSE(net.route_length_m({id("in"), id("out")})); // not connected
  CHECK_FALSE(net.route_length_m({id("in"), 99}));
}

TEST_CASE("signal programs and vias SUMO would refuse are problems",
          "[twin][import]") {
  auto text = joined_net;
  SECTION("a via lane that does not exist") {
    replace(text, "via=\":u_0_0\"", "via=\":u_9_0\"");
    std::istringstream in{text};
    auto net = read_sumo_network(in, "bad.net.xml", bologna());
    REQUIRE_FALSE(net);
    CHECK_THAT(twin::describe(net.error()),
               Catch::Contains("bad.net.xml:44: connection out -> end: via "
                               "lane ':u_9_0' does not exist"));
  }
  SECTION("the same id and programID twice") {
    replace(text, "  <junction id=\"a\"",
            "  <tlLogic id=\"joint\" programID=\"0\"><phase duration=\"9\" "
            "state=\"GGG\"/></tlLogic>\n  <junction id=\"a\"");
    std::istringstream in{text};
    auto net = read_sumo_network(in, "bad.net.xml", bologna());
    REQUIRE_FALSE(net);
    CHECK_THAT(twin::describe(net.error()),
               Catch::Contains("bad.net.xml:35: tlLogic 'joint' program '0' "
                               "is loaded twice"));
  }
  SECTION("a phase shorter than the links") {
    replace(text, "state=\"rrG\"", "state=\"rr\"");
    std::istringstream in{text};
    auto net = read_sumo_network(in, "bad.net.xml", bologna());
    REQUIRE_FALSE(net);
    CHECK_THAT(twin::describe(net.error()),
               Catch::Contains("bad.net.xml:29: tlLogic 'joint' program '0' "
                               "has a phase of 2 links, but a connection "
                               "uses linkIndex 2"));
  }
}

TEST_CASE("a net's last program of an id is the active one, as in SUMO",
          "[twin][import]") {
  auto text = joined_net;
  replace(text, "  <junction id=\"a\"",
          "  <tlLogic id=\"joint\" programID=\"x\"><phase duration=\"45\" "
          "state=\"GGr\"/><phase duration=\"15\" state=\"rrG\"/></tlLogic>\n"
          "  <junction id=\"a\"");
  auto net = read_net(text);
  CHECK(net.report.warnings.empty());
  CHECK(net.tl_logics.size() == 2);
  CHECK(net.active_program.at("joint") == 1);
  CHECK(phases(net, "J1") == 2);
  CHECK(segment(net, "in").capacity_veh_h == Approx(1800 * 45 / 60.0));
}

TEST_CASE("links naming a missing program warn and stay unsignalised",
          "[twin][import]") {
  auto text = joined_net;
  replace(text, "linkIndex=\"2\"", "linkIndex=\"0\"");
  replace(text, "via=\":J2_0_0\" tl=\"joint\"", "via=\":J2_0_0\" tl=\"ghost\"");
  auto net = read_net(text);
  REQUIRE(net.report.warnings.size() == 1);
  CHECK_THAT(net.report.warnings[0],
             Catch::Contains("joined.net.xml:37: traffic-light junction 'J2': "
                             "its connections name tlLogic 'ghost', which has "
                             "no program"));
  CHECK(phases(net, "J2") == 0);
  CHECK(net.report.num_joined_signals == 0); // "joint" now holds J1 only
  CHECK_FALSE(details(net, "mid").signalised);
  CHECK(segment(net, "mid").capacity_veh_h == 900); // yields: state "o"
  // An additional file may bring the missing program.
  auto merged = merge(net, "<additional><tlLogic id=\"ghost\" programID=\"a\">"
                           "<phase duration=\"10\" state=\"G\"/><phase "
                           "duration=\"30\" state=\"r\"/></tlLogic>"
                           "</additional>");
  REQUIRE(merged);
  CHECK(phases(net, "J2") == 2);
  CHECK(segment(net, "mid").capacity_veh_h == Approx(1800 * 10 / 40.0));
}

TEST_CASE("an additional file's program becomes the active one",
          "[twin][import]") {
  auto net = read_net(joined_net);
  auto merged = merge(net, R"(<add>
    <vType id="car"/>
    <tlLogic id="joint" type="static" programID="alt" offset="0">
      <phase duration="45" state="GGr" minDur="5" maxDur="50"/>
      <param key="x" value="y"/>
      <phase duration="15" state="rrG"/>
    </tlLogic>
    <WAUT id="w" refTime="0" startProg="0"/>
    <busStop id="s" lane="in_1" startPos="1" endPos="9"/>
  </add>)");
  REQUIRE(merged);
  CHECK(merged->num_programs == 1);
  CHECK(merged->num_other_elements == 2); // vType, busStop
  REQUIRE(merged->warnings.size() == 1);
  CHECK_THAT(merged->warnings[0],
             Catch::Contains("tls.add.xml:8: WAUT 'w' ignored"));
  CHECK(net.tl_logics.size() == 2);
  CHECK(net.tl_logics[1].source == "tls.add.xml:3");
  CHECK(net.active_program.at("joint") == 1);
  CHECK(net.report.num_tl_logics == 2);
  CHECK(phases(net, "J1") == 2);
  CHECK(phases(net, "J2") == 2);
  CHECK(details(net, "in").green_share == Approx(0.75));
  CHECK(segment(net, "in").capacity_veh_h == Approx(1350));
  CHECK(segment(net, "mid").capacity_veh_h == Approx(450));
  CHECK(net.report.num_signalised_segments == 2); // recounted, not added
}

TEST_CASE("additional-file programs SUMO would refuse leave the net as it was",
          "[twin][import]") {
  auto net = read_net(joined_net);
  auto refused = [&](const std::string& body, const std::string& why) {
    auto merged = merge(net, "<additional>\n" + body + "\n</additional>");
    REQUIRE_FALSE(merged);
    CHECK_THAT(twin::describe(merged.error()), Catch::Contains(why));
    CHECK(net.tl_logics.size() == 1);
    CHECK(segment(net, "in").capacity_veh_h == Approx(900));
  };
  refused("<tlLogic id=\"joint\" programID=\"0\"><phase duration=\"9\" "
          "state=\"GGG\"/></tlLogic>",
          "tls.add.xml:2: tlLogic 'joint' program '0' is loaded twice");
  refused("<tlLogic id=\"nosuch\" programID=\"1\"><phase duration=\"9\" "
          "state=\"G\"/></tlLogic>",
          "tls.add.xml:2: tlLogic 'nosuch': the net has no traffic light");
  refused("<tlLogic id=\"joint\" programID=\"1\"><phase duration=\"9\" "
          "state=\"GG\"/></tlLogic>",
          "has a phase of 2 links, but a connection uses linkIndex 2");
  refused("<tlLogic id=\"joint\" programID=\"1\"/>",
          "tls.add.xml:2: tlLogic 'joint' program '1' has no phase");
  refused("<tlLogic id=\"joint\" programID=\"1\"><phase duration=\"x\" "
          "state=\"GGG\"/></tlLogic>",
          "tls.add.xml:2: <phase> attribute 'duration' is not a number");
}

TEST_CASE("SUMO's acosta: joined signals, green splits and its tls file",
          "[twin][import]") {
  auto dir = citytwin::test::sumo_real_world() / "acosta";
  citytwin::test::require_path(dir / "acosta_buslanes.net.xml",
                               "apt-get install sumo-tools");
  auto loaded = load_sumo_network((dir / "acosta_buslanes.net.xml").string(),
                                  bologna());
  REQUIRE(loaded);
  auto& net = *loaded;
  // 16 traffic-light junctions, 7 programs; 5 programs control 2 to 4
  // junctions each (209: 63 82, 210: 27 34, 220: 15 52 53, 221: 1 1b 1c
  // 3, 235: 204c 44 78), i.e. 14 junctions; 219 and 273 one each.
  CHECK(net.report.num_joined_signals == 14);
  CHECK(net.report.warnings.empty());
  // 20 lanes are allow="bus": 247 of 267 lanes take cars; 13 edges are
  // bus-only.
  CHECK(net.report.num_car_lanes == 247);
  CHECK(net.report.num_car_free_segments == 13);
  // Edge 117 (1 lane) has one link, 210's linkIndex 15. Program "0" of
  // the net shows it G only in its 5th green (31 s of a 160 s cycle).
  const auto& d = details(net, "117");
  CHECK(d.cycle_s == 160);
  CHECK(d.green_share == Approx(31.0 / 160));
  CHECK(segment(net, "117").capacity_veh_h == Approx(1800 * 31.0 / 160));
  // acosta_tls.add.xml's program "adapted" (90 s) shows it G in its
  // first two phases: 34 + 5 s.
  auto merged
      = load_sumo_tl_programs((dir / "acosta_tls.add.xml").string(), net);
  REQUIRE(merged);
  CHECK(merged->num_programs == 7);
  CHECK(net.tl_logics[net.active_program.at("210")].program_id == "adapted");
  CHECK(details(net, "117").cycle_s == 90);
  CHECK(details(net, "117").green_share == Approx(39.0 / 90));
  CHECK(segment(net, "117").capacity_veh_h == Approx(780));
  // Vehicle Audinot_7_0 drives 131 117 209: lanes 332.20 + 133.39 +
  // 396.74 m, vias :51_2_0 (5.97 m) and :34_3_0 (7.90 m) = 876.20 m.
  // SUMO 1.15 micro (the acosta command line of notes/simulation.md
  // section 6.1) reports routeLength 875.20: its arrivalPos="-1" stops
  // 1 m short of the end.
  auto id = [&](const char* edge) { return net.segment_by_edge.at(edge); };
  auto length = net.route_length_m({id("131"), id("117"), id("209")});
  REQUIRE(length);
  CHECK(*length == Approx(876.20).margin(1e-9));
  // 1 -> 204a[0] crosses an internal junction: lane 0 via :1_3_0 (3.92)
  // then :1_5_0 (9.67), lane 1 via :1_3_1 (3.92) then :1_6_0 (4.45);
  // mean (13.59 + 8.37) / 2.
  CHECK(net.turn_length_m.at(uint64_t{id("1")} << 32 | id("204a[0]"))
        == Approx(10.98));
}

TEST_CASE("SUMO's joined net: 28 of 29 signals, 25 of them joined",
          "[twin][import]") {
  auto dir = citytwin::test::sumo_real_world() / "joined";
  citytwin::test::require_path(dir / "joined_buslanes.net.xml",
                               "apt-get install sumo-tools");
  auto net = load_sumo_network((dir / "joined_buslanes.net.xml").string(),
                               bologna());
  REQUIRE(net);
  // Programs 209 210 218 219 230 232 (2 junctions each), 220 231 235 (3)
  // and 221 (4) hold 25 junctions; 233, 273 and 282 one each. ba9 is
  // typed traffic_light but its links name no program (state M).
  CHECK(net->report.num_joined_signals == 25);
  CHECK(net->report.num_uncontrolled_traffic_lights == 1);
  CHECK(net->report.warnings.empty());
  auto merged
      = load_sumo_tl_programs((dir / "joined_tls.add.xml").string(), *net);
  REQUIRE(merged);
  CHECK(merged->num_programs == 13);
  CHECK(merged->warnings.empty());
  for (const auto& [tl, index] : net->active_program)
    CHECK(net->tl_logics[index].program_id == "utopia");
  size_t signalised = 0;
  for (auto* v : net->roads.intersections())
    signalised += v->num_phases > 0 ? 1 : 0;
  CHECK(signalised == 28);
}
