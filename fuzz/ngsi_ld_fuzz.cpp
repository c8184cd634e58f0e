// fuzz/ngsi_ld_fuzz.cpp: NGSI-LD entity fragments as MQTT payloads
// (adapters/ingest/ngsi_ld.cpp), with and without a resolver for ids that
// are no twin URN of the city.
#include "adapters/ingest/ngsi_ld.hpp"
#include "fuzz_input.hpp"

#include <nlohmann/json.hpp>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  if (fuzz::json_depth(text) > fuzz::max_harness_depth)
    return -1; // the server refuses these in twin::read_json
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return 0;
  constexpr twin::time_ms now = 1'700'000'000'000;
  (void) ingest::ngsi_to_readings(doc, "demo", now);
  uint32_t next = 1;
  ingest::unknown_id_resolver unknown
    = [&next](std::string_view id, twin::quantity)
    -> std::variant<twin::entity_id, ingest::rejection> {
    if (id.size() % 3 == 0) // refuse some, as a full creator would
      return ingest::rejection{ingest::reject_reason::unknown_entity, "no"};
    return twin::entity_id{twin::entity_kind::air_quality, next++};
  };
  (void) ingest::ngsi_to_readings(doc, "demo", now, unknown);
  return 0;
}
