// tests/twin/import/sumo_real_world.cpp: SUMO's packaged networks, counted
// against SUMO's own reader.
//
// Expected numbers come from sumolib (Debian sumo-tools 1.15.0): for each
// PATH, `SUMO_HOME=/usr/share/sumo /usr/bin/python3 -c "<script>"` with
// <script> the following lines joined by "; ":
//   import sys
//   sys.path.append('/usr/share/sumo/tools')
//   import sumolib
//   net = sumolib.net.readNet(PATH, withInternal=True)
//   edges = net.getEdges(withInternal=False)
//   nodes = net.getNodes()
//   print(len(edges), sum(e.getLaneNumber() for e in edges), len(nodes),
//     sum(n.getType() == 'traffic_light' for n in nodes),
//     sum(e.getFunction() == 'internal' for e in net.getEdges()),
//     sum(len(c) for e in edges for c in e.getOutgoing().values()),
//     '%.2f' % sum(e.getLength() for e in edges))
// printing: edges, lanes, junctions, traffic-light junctions, internal
// edges, connections between normal edges, total edge length in metres.
// tlLogic counts: `grep -c '<tlLogic ' PATH` (sumolib's getTrafficLights()
// also counts rail signals, which have no program in the file).
#include "twin/import/sumo_network.hpp"

#include "skip.hpp"
#include "sumo_test_files.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

using namespace citytwin;
using namespace citytwin::twin::import;

namespace {

struct sumo_counts {
  size_t edges;
  size_t lanes;
  size_t junctions;
  size_t traffic_lights;
  size_t signals_with_program; ///< traffic lights whose links name a tlLogic
  size_t tl_logics;
  size_t internal_edges;
  size_t connections;
  double length_m;
};

// Loads a packaged net; skips the test if it is absent.
sumo_network load_packaged(const std::filesystem::path& path,
                           const sumo_network_options& opts) {
  citytwin::test::require_path(path, "apt-get install sumo-tools");
  auto result = load_sumo_network(path.string(), opts);
  INFO((result ? std::string{} : twin::describe(result.error())));
  REQUIRE(result);
  return std::move(*result);
}

void check_counts(const sumo_network& net, const sumo_counts& expected) {
  const auto& r = net.report;
  CHECK(r.num_edges == expected.edges);
  CHECK(r.num_lanes == expected.lanes);
  CHECK(r.num_junctions == expected.junctions);
  CHECK(r.num_traffic_lights == expected.traffic_lights);
  CHECK(r.num_tl_logics == expected.tl_logics);
  CHECK(r.num_internal_edges == expected.internal_edges);
  CHECK(r.num_connections == expected.connections);
  CHECK(net.roads.num_segments() == expected.edges);
  CHECK(net.roads.num_intersections() == expected.junctions);
  // sumolib sums the same 2-decimal lane lengths; rounding to 1 cm.
  CHECK(net.roads.total_length_m() == Approx(expected.length_m).margin(0.01));
  size_t signalised = 0;
  for (auto* v : net.roads.intersections())
    signalised += v->num_phases > 0 ? 1 : 0;
  CHECK(signalised == expected.signals_with_program);
}

// The imported city survives the twin's own file format, whose reader
// checks every limit (lanes, speeds, positions, phases).
void check_round_trip(sumo_network net) {
  auto c = make_city(std::move(net), "bologna", 60);
  std::stringstream file;
  twin::write_city(file, c);
  auto back = twin::read_city(file, "imported.city");
  INFO((back ? std::string{} : twin::describe(back.error())));
  REQUIRE(back);
  CHECK(back->roads.num_segments() == c.roads.num_segments());
  CHECK(back->roads.num_intersections() == c.roads.num_intersections());
}

sumo_network_options bologna() {
  sumo_network_options result;
  // projParameter="!": the anchor is ours, roughly the Andrea Costa
  // district; only relative positions come from the file.
  result.anchor = twin::geo_point{11.30, 44.49};
  return result;
}

} // namespace

TEST_CASE("SUMO's Bologna acosta net: counts equal sumolib's",
          "[twin][import]") {
  auto net = load_packaged(
    citytwin::test::sumo_real_world() / "acosta/acosta_buslanes.net.xml",
    bologna());
  check_counts(net, {179, 267, 112, 16, 16, 7, 301, 347, 23296.95});
  CHECK(net.report.version == "0.13");
  CHECK(net.report.warnings.empty());
  check_round_trip(std::move(net));
}

TEST_CASE("SUMO's Bologna joined net: counts equal sumolib's",
          "[twin][import]") {
  auto net = load_packaged(
    citytwin::test::sumo_real_world() / "joined/joined_buslanes.net.xml",
    bologna());
  // Junction 'ba9' is typed traffic_light, but no connection through it
  // names a tlLogic (`grep 'via=":ba9' PATH`: no tl attribute, state M):
  // SUMO runs it as a priority junction, silently; so does the import,
  // counting it.
  check_counts(net, {271, 423, 162, 29, 28, 13, 531, 585, 36725.84});
  CHECK(net.report.num_uncontrolled_traffic_lights == 1);
  CHECK(net.report.warnings.empty());
  check_round_trip(std::move(net));
}

TEST_CASE("a UTM net is placed where sumolib (pyproj) places it",
          "[twin][import]") {
  // Berlin-Adlershof, OSM import, +proj=utm +zone=33.
  auto net = load_packaged(citytwin::test::sumo_home()
                             / "tools/game/DRT/osm.net.xml",
                           {});
  CHECK(net.report.num_edges == 1943);
  CHECK(net.report.num_lanes == 2747);
  CHECK(net.report.num_junctions == 1033);
  CHECK(net.report.num_traffic_lights == 20);
  CHECK(net.report.num_tl_logics == 15);
  CHECK(net.report.num_internal_edges == 4468);
  CHECK(net.report.num_crossings == 503);      // grep -c 'function="crossing"'
  CHECK(net.report.num_walking_areas == 1195); // ... "walkingarea"
  // Reference positions: net.convertXY2LonLat(*node.getCoord()) with
  // python3-pyproj 3.4.1, printed with 9 decimals (0.1 mm).
  struct ref {
    const char* junction;
    double lon;
    double lat;
  };
  for (auto [id, lon, lat] :
       {ref{"cluster_1292264813_1292264824_1421174953", 13.530170104,
            52.428636123},
        ref{"1308298548", 13.532033859, 52.428750537},
        ref{"664166177", 13.530441320, 52.432089811}}) {
    INFO(id);
    auto number = net.intersection_by_junction.at(id);
    auto where = net.roads.find_intersection(number)->where;
    CHECK(where.lon == Approx(lon).margin(2e-9));
    CHECK(where.lat == Approx(lat).margin(2e-9));
  }
}

TEST_CASE("a city file can take its roads from a SUMO network",
          "[twin][import]") {
  auto net = citytwin::test::sumo_real_world() / "acosta/acosta_buslanes.net.xml";
  citytwin::test::require_path(net, "apt-get install sumo-tools");
  // The Bologna nets have no projection: the anchor places their origin.
  auto path = citytwin::test::write_temp(
    "bologna.city", "citytwin-city 1\n"
                    "city name=bologna lon=11.34 lat=44.49 utc_offset_min=60\n"
                    "network format=sumo file="
                      + net.string()
                      + " anchor_lon=11.32 anchor_lat=44.48\n"
                        "street_lamp 0 segment=178 lon=11.33 lat=44.49\n");
  auto c = citytwin::twin::load_city(path);
  REQUIRE(c);
  // 179 normal edges, 112 junctions: SUMO's own counts (see above).
  CHECK(c->roads.num_segments() == 179);
  CHECK(c->roads.num_intersections() == 112);
  CHECK(c->things.size() == 1);
  auto bad = citytwin::test::write_temp(
    "bad_bologna.city", "citytwin-city 1\n"
                        "city name=bologna lon=11.34 lat=44.49\n"
                        "network format=sumo file="
                          + net.string()
                          + " anchor_lon=11.32 anchor_lat=44.48\n"
                            "street_lamp 0 segment=179 lon=11.33 lat=44.49\n"
                            "network format=osm file=x\n");
  auto refused = citytwin::twin::load_city(bad);
  REQUIRE_FALSE(refused);
  auto report = citytwin::twin::describe(refused.error());
  CHECK_THAT(report, Catch::Contains("road_segment 179 does not exist"));
  CHECK_THAT(report, Catch::Contains("a second 'network' record"));
}
