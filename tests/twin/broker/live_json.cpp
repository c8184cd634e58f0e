// tests/twin/broker/live_json.cpp: live entities written as JSON text
// read back as what the document path (render_live, then render_entity)
// produces, in every format, with and without sysAttrs and attrs, for
// every kind; members in the same order.
#include "twin/broker/live_json.hpp"

#include "twin/entity_kind.hpp"
#include "twin/entity_state.hpp"
#include "twin/kind_states.hpp"

#include "json_members.hpp"

#include <catch2/catch.hpp>

using namespace citytwin;
using broker::json;

namespace {

json document(const std::string& id, const broker::live_record& r,
              const std::vector<std::string>& attrs,
              broker::entity_format format, bool sys_attrs) {
  return broker::render_entity(broker::render_live(id, r), attrs, format,
                               sys_attrs);
}

// The same values, and the members in the same order (nlohmann keeps
// object members sorted, so the parsed text would hide a wrong order).
void check_same(const std::string& text, const json& doc) {
  INFO(text);
  auto parsed = json::parse(text);
  CHECK(parsed == doc);
  CHECK(test::top_level_members(text) == test::member_names(doc));
}

std::string live_text(const std::string& id, const broker::live_record& r,
                      const std::vector<std::string>& attrs,
                      broker::entity_format format, bool sys_attrs) {
  std::string out;
  REQUIRE(broker::append_live_entity(out, id, r, attrs, format, sys_attrs));
  return out;
}

broker::live_record record_of(twin::entity_kind kind, uint32_t n,
                              twin::time_ms updated) {
  broker::live_record r;
  r.state = twin::make_state({kind, n});
  r.state.updated = updated;
  r.where.point = {10.2039 + n * 1e-4, 56.1629};
  r.created_ms = 1'780'000'000'000;
  r.modified_ms = 1'780'000'123'456;
  return r;
}

} // namespace

TEST_CASE("live entities as text read back as their rendered documents",
          "[broker][live_json]") {
  using broker::entity_format;
  const std::vector<std::vector<std::string>> attr_lists{
    {}, {"location"}, {"dimLevel", "nothingLikeThis"}, {"nothingLikeThis"}};
  for (size_t k = 1; k <= twin::num_entity_kinds; ++k) {
    auto kind = static_cast<twin::entity_kind>(k);
    for (twin::time_ms updated : {twin::time_ms{0}, twin::time_ms{1'780'000'000'500}}) {
      auto r = record_of(kind, 7, updated);
      auto id = twin::to_urn(r.state.id, "t");
      for (auto format : {entity_format::normalized, entity_format::concise,
                          entity_format::key_values})
        for (bool sys_attrs : {false, true})
          for (const auto& attrs : attr_lists) {
            INFO(id << " format " << static_cast<int>(format) << " sysAttrs "
                    << sys_attrs << " attrs " << attrs.size());
            check_same(live_text(id, r, attrs, format, sys_attrs),
                       document(id, r, attrs, format, sys_attrs));
          }
    }
  }
}

TEST_CASE("live values, lines and unknown places as text",
          "[broker][live_json]") {
  using broker::entity_format;
  auto lamp = record_of(twin::entity_kind::street_lamp, 3, 1'780'000'000'000);
  lamp.state.as<twin::street_lamp_state>().dim_level = 0.375;
  auto road = record_of(twin::entity_kind::road_segment, 4, 0);
  road.where.line = std::make_shared<const std::vector<twin::geo_point>>(
    std::vector<twin::geo_point>{{10.0, 56.0}, {10.001, 56.0005}, {10.0025, 56.1}});
  auto nowhere = record_of(twin::entity_kind::waste_bin, 5, 0);
  nowhere.where.known = false;
  for (const auto* r : {&lamp, &road, &nowhere})
    for (auto format : {entity_format::normalized, entity_format::concise,
                        entity_format::key_values}) {
      auto id = twin::to_urn(r->state.id, "t");
      check_same(live_text(id, *r, {}, format, true),
                 document(id, *r, {}, format, true));
    }
  auto lamp_text = live_text("urn:x", lamp, {"dimLevel"},
                             entity_format::key_values, false);
  CHECK(lamp_text
        == R"({"dimLevel":0.375,"id":"urn:x","type":"StreetLight"})");
}

TEST_CASE("a concise GeoProperty keeps its geometry's type",
          "[broker][live_json]") {
  auto r = record_of(twin::entity_kind::street_lamp, 1, 0);
  auto concise = json::parse(
    live_text("urn:x", r, {"location"}, broker::entity_format::concise, false));
  CHECK(concise["location"]["value"]["type"] == "Point");
  auto doc = broker::render_entity(broker::render_live("urn:x", r), {"location"},
                                   broker::entity_format::concise, false);
  CHECK(doc["location"]["value"]["type"] == "Point");
}

TEST_CASE("live entities with attributes a client added take the document path",
          "[broker][live_json]") {
  auto r = record_of(twin::entity_kind::street_lamp, 1, 0);
  r.extras = std::make_shared<const json>(
    json{{"owner", {{"type", "Property"}, {"value", "city"}}}});
  std::string out = "unchanged";
  CHECK_FALSE(broker::append_live_entity(out, "urn:x", r, {},
                                         broker::entity_format::normalized,
                                         false));
  CHECK(out == "unchanged");
}
