// fuzz/subscription_fuzz.cpp: NGSI-LD subscription bodies
// (twin/broker/subscription.cpp): create, then PATCH with a second
// document, then match the result against a few changes.
//
// Input: `<subscription JSON>\n%%\n<patch JSON>` (the patch optional).
#include "twin/broker/subscription.hpp"
#include "fuzz_input.hpp"

using namespace citytwin;

namespace {

// A change of the demo lamp; `before` null means it was created.
broker::entity_change change_of(const broker::json* before,
                                const broker::json& after) {
  broker::entity_change result;
  result.what = before ? broker::entity_change::kind::updated
                       : broker::entity_change::kind::created;
  result.id = after["id"].get<std::string>();
  result.types = broker::types_of(after);
  result.updated_attrs = {"dimLevel"};
  if (!before)
    result.created_attrs = {"dimLevel", "location"};
  result.entity = std::make_shared<const broker::json>(after);
  if (before)
    result.previous = std::make_shared<const broker::json>(*before);
  return result;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  if (fuzz::json_depth(text) > fuzz::max_harness_depth)
    return -1; // the server refuses these in twin::read_json
  auto parts = fuzz::split(text, fuzz::part_separator, 2);
  auto body = broker::json::parse(parts[0], nullptr, false);
  if (body.is_discarded())
    return 0;
  auto sub = broker::parse_subscription(body, "urn:ngsi-ld:Subscription:1");
  if (!sub)
    return 0;
  (void) sub->types();
  static const auto lamp = broker::json::parse(R"({
    "id": "urn:ngsi-ld:StreetLight:demo:000001", "type": "StreetLight",
    "dimLevel": {"type": "Property", "value": 0.5,
                 "observedAt": "2026-05-01T20:00:00Z"},
    "location": {"type": "GeoProperty",
                 "value": {"type": "Point", "coordinates": [10.2, 56.15]}}})");
  static const auto brighter = [] {
    auto result = lamp;
    result["dimLevel"]["value"] = 0.9;
    return result;
  }();
  static const auto created = change_of(nullptr, lamp);
  static const auto updated = change_of(&lamp, brighter);
  for (const auto* change : {&created, &updated})
    (void) sub->matches(*change, 1'700'000'000'000);
  if (parts.size() == 2) {
    auto patch = broker::json::parse(parts[1], nullptr, false);
    if (!patch.is_discarded())
      if (auto patched = broker::patch_subscription(*sub, patch))
        (void) patched->matches(updated, 1'700'000'000'000);
  }
  return 0;
}
