// fuzz/geo_query_fuzz.cpp: NGSI-LD geo-queries (adapters/broker/
// geo_query.cpp, geo_shape.cpp, geo_relate.cpp) from the four query
// parameters, and the same parts as a subscription's `geoQ` object, then
// matching what parsed against the demo entities.
//
// Input: `georel\n%%\ngeometry\n%%\ncoordinates\n%%\ngeoproperty`.
#include "twin/broker/geo_query.hpp"
#include "demo_entities.hpp"
#include "fuzz_input.hpp"

using namespace citytwin;

namespace {

void match_all(const broker::geo_query& query) {
  for (const auto& entity : fuzz::demo_entities())
    (void) query.matches(entity);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  if (fuzz::json_depth(text) > fuzz::max_harness_depth)
    return -1; // coordinates are read by twin::read_json in the server
  auto parts = fuzz::split(text, fuzz::part_separator, 4);
  parts.resize(4);
  if (auto query = broker::parse_geo_query(parts[0], parts[1], parts[2],
                                           parts[3]))
    match_all(*query);
  // geoQ of a subscription: coordinates as JSON or as text.
  nlohmann::json geo_q = {{"georel", parts[0]}, {"geometry", parts[1]},
                          {"coordinates", parts[2]}};
  if (!parts[3].empty())
    geo_q["geoproperty"] = parts[3];
  if (auto query = broker::parse_geo_query(geo_q))
    match_all(*query);
  auto coordinates = nlohmann::json::parse(parts[2], nullptr, false);
  if (!coordinates.is_discarded()) {
    geo_q["coordinates"] = coordinates;
    if (auto query = broker::parse_geo_query(geo_q))
      match_all(*query);
    if (auto type = broker::parse_geometry_type(parts[1]))
      (void) broker::parse_geo_shape(*type, coordinates);
    (void) broker::parse_geo_shape(coordinates);
  }
  return 0;
}
