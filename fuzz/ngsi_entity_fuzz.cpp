// fuzz/ngsi_entity_fuzz.cpp: NGSI-LD HTTP bodies as the broker checks
// them (twin/broker/ngsi_entity.cpp): whole entities, attribute
// fragments, single attributes, and rendering what was accepted in every
// format, as a GET would.
#include "twin/broker/ngsi_entity.hpp"
#include "fuzz_input.hpp"

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  if (fuzz::json_depth(text) > fuzz::max_harness_depth)
    return -1; // the server refuses these in twin::read_json
  auto body = broker::json::parse(text, nullptr, false);
  if (body.is_discarded())
    return 0;
  if (auto entity = broker::normalize_entity(body)) {
    auto names = broker::attribute_names(*entity);
    for (auto format : {broker::entity_format::normalized,
                        broker::entity_format::concise,
                        broker::entity_format::key_values}) {
      (void) broker::render_entity(*entity, {}, format, true);
      (void) broker::render_entity(*entity, names, format, false);
    }
  }
  (void) broker::normalize_fragment(body, false);
  (void) broker::normalize_fragment(body, true);
  if (body.is_object())
    for (const auto& [name, value] : body.items()) {
      (void) broker::valid_name(name);
      (void) broker::valid_entity_id(name);
      (void) broker::normalize_attribute(name, value);
    }
  return 0;
}
