// tests/twin/import/sumo_routes.cpp: SUMO demand (.rou.xml) import.
#include "twin/import/sumo_routes.hpp"

#include "skip.hpp"
#include "sumo_test_files.hpp"
#include "twin/error.hpp"
#include "twin/import/sumo_network.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

using namespace citytwin;
using namespace citytwin::twin::import;

namespace {

const std::string small_routes = R"(<routes>
  <vType id="car" vClass="passenger" length="4.5" maxSpeed="50"/>
  <vTypeDistribution id="mix">
    <vType id="van" length="6" probability="0.3"/>
  </vTypeDistribution>
  <route id="r1" edges="a b c"/>
  <vehicle id="v0" type="car" depart="30" route="r1"/>
  <vehicle id="v1" depart="5"><route edges="b c"/><stop lane="c_0" duration="10"/></vehicle>
  <trip id="t0" depart="1:00:00" from="a" to="c"/>
  <trip id="tz" depart="0" fromTaz="z1" toTaz="z2"/>
  <flow id="p" begin="0" end="100" period="30" route="r1"/>
  <flow id="h" begin="10" end="3610" vehsPerHour="2" from="a" to="b"/>
  <flow id="n" begin="0" end="100" number="4" from="b" to="c"/>
  <flow id="pn" begin="0" period="7" number="3" route="r1"/>
  <flow id="rnd" begin="0" end="100" probability="0.1"><route edges="a b"/></flow>
  <person id="walker" depart="0"><walk edges="a b"/></person>
</routes>
)";

caf::error read(const std::string& text, sumo_demand& demand) {
  std::istringstream in{text};
  return read_sumo_routes(in, "small.rou.xml", demand);
}

std::vector<double> departs_of(const sumo_demand& d, std::string_view prefix) {
  std::vector<double> result;
  for (const auto& x : d.departures)
    if (x.id.substr(0, prefix.size()) == prefix)
      result.push_back(x.depart_s);
  return result;
}

} // namespace

TEST_CASE("SUMO demand: vehicles, trips and deterministic flows",
          "[twin][import]") {
  sumo_demand d;
  auto err = read(small_routes, d);
  INFO(twin::describe(err));
  REQUIRE_FALSE(err);
  const auto& r = d.report;
  CHECK(r.num_vehicles == 2);
  CHECK(r.num_trips == 1);           // tz has TAZs only: skipped
  CHECK(r.num_flows == 4);           // rnd is random: skipped
  CHECK(r.num_skipped == 2);
  CHECK(r.num_persons_skipped == 1);
  CHECK(r.num_stops == 1);
  CHECK(r.warnings.size() == 2);
  // period 30 in [0, 100): 0 30 60 90.
  CHECK(departs_of(d, "p.") == std::vector<double>{0, 30, 60, 90});
  // 2 veh/h = period 1800 s in [10, 3610): 10 1810.
  CHECK(departs_of(d, "h.") == std::vector<double>{10, 1810});
  // 4 vehicles spread over [0, 100): period 25.
  CHECK(departs_of(d, "n.") == std::vector<double>{0, 25, 50, 75});
  // number=3 with period 7 and no end: 0 7 14.
  CHECK(departs_of(d, "pn.") == std::vector<double>{0, 7, 14});
  CHECK(r.num_flow_departures == 4 + 2 + 4 + 3);
  REQUIRE(d.departures.size() == 2 + 1 + 13);
  for (size_t i = 1; i < d.departures.size(); ++i)
    CHECK(d.departures[i - 1].depart_s <= d.departures[i].depart_s);
  CHECK(d.departures.back().id == "t0"); // 1:00:00 = 3600 s, the latest
  CHECK(d.departures.back().depart_s == 3600);
  const auto& v0 = *std::find_if(d.departures.begin(), d.departures.end(),
                                 [](auto& x) { return x.id == "v0"; });
  CHECK(v0.type == "car");
  CHECK(v0.from_edge == "a");
  CHECK(v0.to_edge == "c");
  CHECK(d.routes[static_cast<size_t>(v0.route)].size() == 3);
  REQUIRE(d.vehicle_types.size() == 2);
  CHECK(d.vehicle_types[1].distribution == "mix");
  CHECK(d.vehicle_types[1].probability == 0.3);
}

TEST_CASE("SUMO demand that must not load leaves the demand unchanged",
          "[twin][import]") {
  sumo_demand d;
  REQUIRE_FALSE(read(small_routes, d));
  auto before = d.departures.size();
  auto why = [&](const std::string& text) {
    auto err = read(text, d);
    REQUIRE(err);
    CHECK(d.departures.size() == before);
    return twin::describe(err);
  };
  CHECK_THAT(why(small_routes.substr(0, small_routes.size() / 2)),
             Catch::Contains("malformed XML"));
  CHECK_THAT(why("<net version=\"1.1\"/>"),
             Catch::Contains("small.rou.xml:1: not a SUMO route file"));
  CHECK_THAT(why("<routes>\n<vehicle id=\"x\" depart=\"0\" route=\"nope\"/>"
                 "\n</routes>"),
             Catch::Contains("small.rou.xml:2: 'x' uses unknown route 'nope'"));
  CHECK_THAT(why("<routes>\n\n<flow id=\"f\" begin=\"0\" from=\"a\" "
                 "to=\"b\"/>\n</routes>"),
             Catch::Contains("small.rou.xml:3: flow 'f' needs period"));
  CHECK_THAT(why("<routes><vehicle id=\"x\" depart=\"soon\" from=\"a\" "
                 "to=\"b\"/></routes>"),
             Catch::Contains("depart is not a time in seconds: 'soon'"));
}

TEST_CASE("SUMO's Bologna acosta demand: counts equal sumolib's",
          "[twin][import]") {
  // Expected counts from sumolib (Debian sumo-tools 1.15.0):
  //   /usr/bin/python3 -c "import sys; sys.path.append('/usr/share/sumo/
  //   tools'); import sumolib; v = list(sumolib.xml.parse(PATH,
  //   'vehicle')); print(len(v), sum(len(x.stop or []) for x in v))"
  // acosta.rou.xml: 8622 vehicles, 0 stops; acosta_busses.add.xml: 157
  // vehicles, 542 stops; 8622 + 157 = 8779, the scenario's vehicle count.
  // vTypes: `grep -c '<vType ' acosta_vtypes.add.xml` = 13.
  auto dir = citytwin::test::sumo_real_world() / "acosta";
  citytwin::test::require_path(dir / "acosta.rou.xml",
                               "apt-get install sumo-tools");
  sumo_demand d;
  for (auto file : {"acosta_vtypes.add.xml", "acosta.rou.xml",
                    "acosta_busses.add.xml"}) {
    auto err = load_sumo_routes((dir / file).string(), d);
    INFO(twin::describe(err));
    REQUIRE_FALSE(err);
  }
  CHECK(d.report.num_vehicles == 8779);
  CHECK(d.report.num_stops == 542);
  CHECK(d.vehicle_types.size() == 13);
  CHECK(d.report.warnings.empty());
  // Every route edge exists in the scenario's network.
  sumo_network_options opts;
  opts.anchor = twin::geo_point{11.30, 44.49};
  auto net = load_sumo_network((dir / "acosta_buslanes.net.xml").string(),
                               opts);
  REQUIRE(net);
  auto err = check_demand(d, *net);
  INFO(twin::describe(err));
  CHECK_FALSE(err);
  // ... and an edge that does not is named.
  d.routes.front().push_back("no_such_edge");
  CHECK_THAT(twin::describe(check_demand(d, *net)),
             Catch::Contains("unknown edge 'no_such_edge'"));
}
