// tests/viz/city_layout.cpp: the layout's per-entity JSON, written as
// text, reads back as the document the viewer expects.
#include "viz/city_layout.hpp"

#include "test_data.hpp"
#include "twin/entity_id.hpp"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

using namespace citytwin;
using nlohmann::json;

namespace {

json point(twin::geo_point p) {
  return json::array({p.lon, p.lat});
}

// The document of one entity, built the plain (slow) way.
json expected_item(const twin::city& c, twin::entity_id id) {
  json result;
  if (id.kind == twin::entity_kind::road_segment) {
    for (const auto* s : c.roads.segments())
      if (s->number == id.number) {
        json coords = json::array();
        for (auto p : c.roads.geometry(*s))
          coords.push_back(point(p));
        result = {{"name", s->name},
                  {"lanes", s->lanes},
                  {"limit", s->speed_limit_kmh},
                  {"coords", coords}};
      }
  } else if (id.kind == twin::entity_kind::intersection) {
    for (const auto* x : c.roads.intersections())
      if (x->number == id.number)
        result = {{"at", point(x->where)}, {"phases", x->num_phases}};
  } else {
    for (const auto& p : c.things)
      if (p.id == id)
        result = {{"at", point(p.where)}, {"segment", p.segment}};
  }
  result["id"] = twin::to_urn(id, c.name);
  result["kind"] = std::string{twin::to_string(id.kind)};
  result["n"] = id.number;
  return result;
}

} // namespace

TEST_CASE("layout items are the entities' JSON documents",
          "[viz][layout]") {
  auto c = test::small_city();
  viz::city_layout layout{c};
  REQUIRE(layout.items().size() == c.num_entities());
  std::set<twin::entity_kind> kinds;
  for (const auto& item : layout.items()) {
    INFO(item.json);
    CHECK(json::parse(item.json) == expected_item(c, item.id));
    kinds.insert(item.id.kind);
  }
  CHECK(kinds.size() >= 4); // segments, intersections, lamps, bins, ...
}
