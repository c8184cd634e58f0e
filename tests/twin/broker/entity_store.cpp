// tests/twin/broker/entity_store.cpp: the broker's entity store on its own,
// without HTTP or actors: live entities held as typed state and rendered
// on demand, API entities as documents, and the indexes (type, location)
// that let a query with a limit touch what it returns.
#include "twin/broker/entity_store.hpp"

#include "twin/broker/broker_error.hpp"
#include "twin/broker/geo_query.hpp"
#include "twin/broker/ngsi_query.hpp"
#include "twin/entity_state.hpp"
#include "twin/kind_states.hpp"

#include <catch2/catch.hpp>

using namespace citytwin;
using broker::json;

namespace {

std::string lamp_urn(uint32_t n) {
  return twin::to_urn({twin::entity_kind::street_lamp, n}, "t");
}

// `n` lamps on a line eastwards from (10, 56), about 62 m apart.
std::unique_ptr<broker::entity_store> lamps(uint32_t n) {
  auto result = std::make_unique<broker::entity_store>();
  std::vector<broker::entity_store::live_seed> seeds;
  for (uint32_t i = 0; i < n; ++i)
    seeds.push_back({lamp_urn(i),
                     twin::make_state({twin::entity_kind::street_lamp, i}),
                     {{10.0 + i * 0.001, 56.0}, nullptr}});
  result->add_live(std::move(seeds));
  return result;
}

// The state of lamp `n` dimmed to `level`.
twin::entity_state dimmed(uint32_t n, double level) {
  auto state = twin::make_state({twin::entity_kind::street_lamp, n});
  state.as<twin::street_lamp_state>().dim_level = level;
  return state;
}

json building(const std::string& id, double lon, double lat) {
  return {{"id", id},
          {"type", "Building"},
          {"height", {{"type", "Property"}, {"value", 10}}},
          {"location",
           {{"type", "GeoProperty"},
            {"value", {{"type", "Point"}, {"coordinates", {lon, lat}}}}}}};
}

std::vector<std::string> ids_of(const broker::entity_store::query_result& r) {
  std::vector<std::string> result;
  for (const auto& e : r.entities)
    result.push_back(e["id"].get<std::string>());
  return result;
}

} // namespace

TEST_CASE("live entities are rendered from their typed state",
          "[broker][store]") {
  auto owner = lamps(3);
  auto& store = *owner;
  auto state = dimmed(1, 0.75);
  state.updated = 1'700'000'000'000;
  auto change = store.update_live(lamp_urn(1), state, 1'700'000'000'500, true);
  REQUIRE(change);
  CHECK(change->updated_attrs == broker::live_attribute_names(
            twin::entity_kind::street_lamp));
  REQUIRE(change->previous);
  CHECK((*change->previous)["dimLevel"]["value"] == 0);
  auto doc = store.get(lamp_urn(1));
  REQUIRE(doc);
  CHECK((**doc)["type"] == "StreetLight");
  CHECK((**doc)["dimLevel"]["value"] == 0.75);
  CHECK((**doc)["modifiedAt"] == "2023-11-14T22:13:20.500Z");
  CHECK((**doc)["location"]["value"]["coordinates"][0] == 10.001);
  // Without subscribers nothing is rendered.
  auto quiet = store.update_live(lamp_urn(1), state, 0, false);
  REQUIRE(quiet);
  CHECK_FALSE(quiet->entity);
  // A sensor the twin created after the seed joins, without a location.
  auto created = store.update_live(
      lamp_urn(7), twin::make_state({twin::entity_kind::street_lamp, 7}), 5,
      false);
  REQUIRE(created);
  CHECK(created->what == broker::entity_change::kind::created);
  CHECK((**store.get(lamp_urn(7))).contains("location") == false);
  broker::entity_filter by_type;
  by_type.types = {"StreetLight"};
  CHECK(store.query(by_type, 0, 10).total == 4);
  // An id the API holds stays the API's.
  REQUIRE(store.create({{"id", "urn:ngsi-ld:Thing:x"}, {"type", "Thing"}}));
  CHECK_FALSE(store.update_live("urn:ngsi-ld:Thing:x", state, 5, false));
}

TEST_CASE("a live entity takes a client's own attributes but keeps the "
          "twin's",
          "[broker][store]") {
  auto owner = lamps(1);
  auto& store = *owner;
  std::vector<std::string> not_updated;
  auto added = store.append(
      lamp_urn(0), json{{"note", {{"type", "Property"}, {"value", "new"}}}},
      false, not_updated);
  REQUIRE(added);
  CHECK(added->created_attrs == std::vector<std::string>{"note"});
  CHECK((**store.get(lamp_urn(0)))["note"]["value"] == "new");
  // The twin's attributes and location are the twin's.
  auto owned = store.update(lamp_urn(0),
                            json{{"ratedPowerW",
                                  {{"type", "Property"}, {"value", 1}}}},
                            not_updated);
  REQUIRE_FALSE(owned);
  CHECK(owned.error() == broker::broker_errc::not_supported);
  CHECK_FALSE(store.remove(lamp_urn(0)));
  CHECK_FALSE(store.remove_attribute(lamp_urn(0), "dimLevel"));
  // A later delta keeps the client's attribute.
  REQUIRE(store.update_live(
      lamp_urn(0), twin::make_state({twin::entity_kind::street_lamp, 0}), 1,
      false));
  CHECK((**store.get(lamp_urn(0)))["note"]["value"] == "new");
}

TEST_CASE("queries by type walk the type index in id order and stop at the "
          "limit",
          "[broker][store]") {
  auto owner = lamps(50);
  auto& store = *owner;
  REQUIRE(store.create(building("urn:ngsi-ld:Building:b", 10.0, 56.0)));
  broker::entity_filter by_type;
  by_type.types = {"StreetLight"};
  auto page = store.query(by_type, 10, 5, false);
  CHECK(ids_of(page)
        == std::vector<std::string>{lamp_urn(10), lamp_urn(11), lamp_urn(12),
                                    lamp_urn(13), lamp_urn(14)});
  CHECK(page.total == 15); // counted only as far as needed
  CHECK(store.query(by_type, 10, 5, true).total == 50);
  by_type.types = {"Building", "StreetLight"};
  CHECK(store.query(by_type, 0, 100).total == 51);
  // Deleting an entity takes it out of the index.
  REQUIRE(store.remove("urn:ngsi-ld:Building:b"));
  by_type.types = {"Building"};
  CHECK(store.query(by_type, 0, 100).total == 0);
  auto types = store.types();
  CHECK(types.count("Building") == 0);
  CHECK(types["StreetLight"].count == 50);
  CHECK(std::count(types["StreetLight"].attributes.begin(),
                   types["StreetLight"].attributes.end(), "dimLevel")
        == 1);
}

TEST_CASE("geo-queries use the location index, for live and API entities",
          "[broker][store]") {
  auto owner = lamps(50);
  auto& store = *owner;
  REQUIRE(store.create(building("urn:ngsi-ld:Building:near", 10.0101, 56.0)));
  REQUIRE(store.create(building("urn:ngsi-ld:Building:far", 11.0, 56.0)));
  auto near = broker::parse_geo_query("near;maxDistance==100", "Point",
                                      "[10.0100,56.0]", "");
  REQUIRE(near);
  broker::entity_filter filter;
  filter.geo = &*near;
  // Lamps 9, 10 and 11 lie within 100 m (about 62 m apart), and the
  // building 6 m away.
  CHECK(ids_of(store.query(filter, 0, 100))
        == std::vector<std::string>{"urn:ngsi-ld:Building:near", lamp_urn(9),
                                    lamp_urn(10), lamp_urn(11)});
  filter.types = {"Building"};
  CHECK(ids_of(store.query(filter, 0, 100))
        == std::vector<std::string>{"urn:ngsi-ld:Building:near"});
  // A moved building moves in the index.
  REQUIRE(store.merge(
      "urn:ngsi-ld:Building:far",
      json{{"location", building("x", 10.0099, 56.0)["location"]}}));
  CHECK(store.query(filter, 0, 100).total == 2);
  // Relations a box cannot pre-filter still answer, by scanning.
  auto far = broker::parse_geo_query("near;minDistance==100", "Point",
                                     "[10.0100,56.0]", "");
  REQUIRE(far);
  broker::entity_filter outside;
  outside.geo = &*far;
  CHECK(store.query(outside, 0, 100).total == 47);
}

TEST_CASE("q on live entities reads their rendered attributes",
          "[broker][store]") {
  auto owner = lamps(4);
  auto& store = *owner;
  REQUIRE(store.update_live(lamp_urn(2), dimmed(2, 0.5), 1, false));
  auto q = broker::parse_q("dimLevel>0.4");
  REQUIRE(q);
  broker::entity_filter filter;
  filter.q = &*q;
  CHECK(ids_of(store.query(filter, 0, 10))
        == std::vector<std::string>{lamp_urn(2)});
}
