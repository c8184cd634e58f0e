// fuzz/sumo_net_fuzz.cpp: SUMO `.net.xml` networks (twin/import/
// sumo_network.cpp, sumo_net_records.cpp, sumo_projection.cpp,
// xml_reader.cpp), read with an anchor so that nets without a projection
// load too, then made into a city as `import-network --sumo` does.
#include "fuzz_input.hpp"
#include "twin/error.hpp"
#include "twin/import/sumo_network.hpp"

#include <sstream>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in{std::string{fuzz::as_text(data, size)}};
  twin::import::sumo_network_options opts;
  opts.anchor = twin::geo_point{10.2, 56.15};
  auto net = twin::import::read_sumo_network(in, "fuzz.net.xml", opts);
  if (!net) {
    (void) twin::describe(net.error());
    return 0;
  }
  (void) twin::import::make_city(std::move(*net), "fuzz");
  return 0;
}
