// fuzz/query_string_fuzz.cpp: the URL query of an NGSI-LD request as the
// routes take it apart: `ngsi::parse_query` and `percent_decode`
// (adapters/ngsi/http_listener.cpp), then the values of `attrs`, `type`,
// `id`, `idPattern`, `q` and the geo parameters handed on as the entity
// routes do (entity_routes.cpp). The whole handler, with these checks in
// their real order, is ngsi_api_fuzz.
#include "twin/broker/geo_query.hpp"
#include "twin/broker/ngsi_entity.hpp"
#include "twin/broker/ngsi_query.hpp"
#include "twin/broker/pattern.hpp"
#include "adapters/ngsi/api_context.hpp"
#include "adapters/ngsi/http_listener.hpp"
#include "demo_entities.hpp"
#include "fuzz_input.hpp"

#include "twin/broker/pattern.hpp"

#include <regex>

using namespace citytwin;

namespace {

const std::string* find(
  const std::vector<std::pair<std::string, std::string>>& params,
  std::string_view name) {
  for (const auto& [key, value] : params)
    if (key == name)
      return &value;
  return nullptr;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  (void) ngsi::percent_decode(text);
  auto params = ngsi::parse_query(text);
  if (!params)
    return 0;
  for (const auto* list : {"attrs", "type", "id", "options"})
    for (const auto& item : ngsi::split_list(find(*params, list))) {
      (void) broker::valid_name(item);
      (void) broker::valid_entity_id(item);
    }
  if (const auto* pattern = find(*params, "idPattern")) {
    // As entity_routes.cpp compiles it (no length bound there).
    try {
      auto compiled = broker::compile_pattern(*pattern);
      for (const auto& entity : fuzz::demo_entities())
        (void) std::regex_search(entity["id"].get_ref<const std::string&>(),
                                 compiled);
    } catch (const std::regex_error&) {
    }
  }
  if (const auto* q = find(*params, "q"))
    if (auto parsed = broker::parse_q(*q))
      for (const auto& entity : fuzz::demo_entities())
        (void) parsed->matches(entity);
  if (const auto* georel = find(*params, "georel")) {
    static const std::string none;
    const auto* geometry = find(*params, "geometry");
    const auto* coordinates = find(*params, "coordinates");
    const auto* property = find(*params, "geoproperty");
    if (auto geo = broker::parse_geo_query(
          *georel, geometry ? *geometry : none,
          coordinates ? *coordinates : none, property ? *property : none))
      for (const auto& entity : fuzz::demo_entities())
        (void) geo->matches(entity);
  }
  return 0;
}
