// fuzz/sumo_routes_fuzz.cpp: SUMO demand, `.rou.xml` and route `.add.xml`
// (twin/import/sumo_routes.cpp): vehicles, trips, flows (expanded here,
// so a huge `number` or tiny `period` is on the path), vTypes and their
// distributions; then `check_demand` against a small network.
//
// Input: `<routes file>\n%%\n<second routes file>` (routes named in the
// first may be used in the second, as with several --route-files).
#include "fuzz_input.hpp"
#include "twin/error.hpp"
#include "twin/import/sumo_network.hpp"
#include "twin/import/sumo_routes.hpp"

#include <cstdlib>
#include <sstream>

using namespace citytwin;

namespace {

// Two junctions, one edge each way: what check_demand needs.
const twin::import::sumo_network& small_net() {
  static const auto result = [] {
    std::istringstream in{R"(<?xml version="1.0" encoding="UTF-8"?>
<net version="1.20" junctionCornerDetail="5">
  <location netOffset="0.00,0.00" convBoundary="0.00,0.00,100.00,0.00"
            origBoundary="0.00,0.00,100.00,0.00" projParameter="!"/>
  <edge id="a" from="J0" to="J1" priority="1">
    <lane id="a_0" index="0" speed="13.89" length="100.00"
          shape="0.00,-1.60 100.00,-1.60"/>
  </edge>
  <edge id="b" from="J1" to="J0" priority="1">
    <lane id="b_0" index="0" speed="13.89" length="100.00"
          shape="100.00,1.60 0.00,1.60"/>
  </edge>
  <junction id="J0" type="dead_end" x="0.00" y="0.00" incLanes="b_0"
            intLanes="" shape="0.00,0.00"/>
  <junction id="J1" type="dead_end" x="100.00" y="0.00" incLanes="a_0"
            intLanes="" shape="100.00,0.00"/>
</net>)"};
    twin::import::sumo_network_options opts;
    opts.anchor = twin::geo_point{10.2, 56.15};
    auto net = twin::import::read_sumo_network(in, "small.net.xml", opts);
    if (!net)
      std::abort(); // the harness cannot run: not a finding
    return std::move(*net);
  }();
  return result;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& net = small_net();
  twin::import::sumo_demand demand;
  for (auto part : fuzz::split(fuzz::as_text(data, size), fuzz::part_separator,
                               2)) {
    std::istringstream in{std::string{part}};
    if (auto err = twin::import::read_sumo_routes(in, "fuzz.rou.xml", demand))
      (void) twin::describe(err);
  }
  if (auto err = twin::import::check_demand(demand, net))
    (void) twin::describe(err);
  return 0;
}
