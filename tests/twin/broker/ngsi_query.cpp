// tests/twin/broker/ngsi_query.cpp
#include "twin/broker/ngsi_query.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using citytwin::broker::parse_q;
using citytwin::broker::q_query;
using json = nlohmann::json;

namespace {

/// One vehicle with every attribute shape the tests need.
const json& vehicle() {
  static const json result = json::parse(R"({
    "id": "urn:ngsi-ld:Vehicle:A4567", "type": "Vehicle",
    "speed": {"type": "Property", "value": 12.5, "unitCode": "KMH",
              "observedAt": "2026-05-01T20:00:00Z",
              "accuracy": {"type": "Property", "value": 0.9}},
    "brandName": {"type": "Property", "value": "Mercedes"},
    "airQualityLevel": {"type": "Property", "value": 6},
    "isParked": {"type": "Relationship",
                 "object": "urn:ngsi-ld:OffStreetParking:Downtown1",
                 "observedAt": "2017-07-29T12:00:04Z",
                 "providedBy": {"type": "Relationship",
                                "object": "urn:ngsi-ld:Person:Bob"}},
    "temperature": [
      {"type": "Property", "value": 21, "datasetId": "urn:ngsi-ld:Dataset:a"},
      {"type": "Property", "value": 35, "datasetId": "urn:ngsi-ld:Dataset:b"}],
    "humidity": {"type": "Property", "value": 85},
    "status": {"type": "Property", "value": "inactive"},
    "enabled": {"type": "Property", "value": true},
    "tags": {"type": "Property", "value": ["red", "blue"]},
    "address": {"type": "Property",
                "value": {"city": "Berlin", "geo": {"zip": 10115}}},
    "name": {"type": "LanguageProperty",
             "languageMap": {"fr": "Ruche", "en": "Hive"}},
    "serviced": {"type": "Property",
                 "value": {"@type": "Date", "@value": "2026-04-01"}},
    "opens": {"type": "Property", "value": "08:30:00"},
    "lastSeen": {"type": "Property",
                 "value": {"@type": "DateTime",
                           "@value": "2026-05-01T21:00:00+01:00"}},
    "note": {"type": "Property", "value": null},
    "location": {"type": "GeoProperty",
                 "value": {"type": "Point", "coordinates": [4.35, 50.85]}}
  })");
  return result;
}

/// Parses `text` (which must be valid) and matches it against `entity`.
bool q(std::string_view text, const json& entity = vehicle()) {
  auto query = parse_q(text);
  INFO(text << ": " << (query ? "" : citytwin::twin::describe(query.error())));
  REQUIRE(query);
  return query->matches(entity);
}

} // namespace

TEST_CASE("the standards notes' example combines AND, OR and parentheses",
          "[broker][q]") {
  // temperature has instances 21 and 35 (> 20), humidity is 85 (not < 80),
  // so only the parenthesised status test can make it true.
  CHECK(q(R"(temperature>20;humidity<80|(status=="inactive"))"));
  CHECK_FALSE(q(R"(temperature>20;humidity<80|(status=="active"))"));
  CHECK(q(R"(temperature>20;humidity<90|(status=="active"))"));
}

TEST_CASE("AND binds tighter than OR and parentheses override it",
          "[broker][q]") {
  // false;false|true = (false;false)|true = true
  CHECK(q("airQualityLevel==1;humidity==1|enabled==true"));
  // false;(false|true) = false
  CHECK_FALSE(q("airQualityLevel==1;(humidity==1|enabled==true)"));
  CHECK(q("((airQualityLevel==6))"));
  CHECK(q("airQualityLevel==6;humidity==85;enabled==true"));
  CHECK_FALSE(q("airQualityLevel==6;humidity==85;enabled==false"));
}

TEST_CASE("numbers compare numerically with every operator", "[broker][q]") {
  CHECK(q("airQualityLevel==6"));
  CHECK(q("airQualityLevel==6.0"));
  CHECK(q("airQualityLevel!=5"));
  CHECK_FALSE(q("airQualityLevel!=6"));
  CHECK(q("airQualityLevel>5"));
  CHECK_FALSE(q("airQualityLevel>6"));
  CHECK(q("airQualityLevel>=6"));
  CHECK(q("airQualityLevel<6.5"));
  CHECK(q("airQualityLevel<=6"));
  CHECK_FALSE(q("airQualityLevel<6"));
  CHECK(q("speed>-1e3"));
  CHECK(q("speed==1.25e1"));
}

TEST_CASE("booleans compare only for equality", "[broker][q]") {
  CHECK(q("enabled==true"));
  CHECK(q("enabled!=false"));
  CHECK_FALSE(q("enabled==false"));
  // Booleans have no order.
  CHECK_FALSE(q("enabled>false"));
  CHECK_FALSE(q("enabled<=true"));
}

TEST_CASE("quoted strings compare lexicographically and honour escapes",
          "[broker][q]") {
  CHECK(q(R"(brandName=="Mercedes")"));
  CHECK(q(R"(brandName!="Mercedes-Benz")"));
  CHECK_FALSE(q(R"(brandName!="Mercedes")"));
  CHECK(q(R"(brandName>"BMW")"));
  CHECK(q(R"(brandName<"Opel")"));
  json quote
      = {{"label", {{"type", "Property"}, {"value", R"(say "hi" \o/)"}}}};
  CHECK(q(R"(label=="say \"hi\" \\o/")", quote));
  // A backslash before anything else stays, for regex-friendly strings.
  CHECK(q(R"(label=="say \"hi\" \o/")", quote));
  // Separators inside quotes are part of the string.
  json odd = {{"label", {{"type", "Property"}, {"value", "a;b|c,(d)..e"}}}};
  CHECK(q(R"(label=="a;b|c,(d)..e")", odd));
}

TEST_CASE("relationships compare their object with quoted and unquoted URIs",
          "[broker][q]") {
  CHECK(q(R"(isParked=="urn:ngsi-ld:OffStreetParking:Downtown1")"));
  CHECK(q("isParked==urn:ngsi-ld:OffStreetParking:Downtown1"));
  CHECK_FALSE(q("isParked==urn:ngsi-ld:OffStreetParking:Downtown2"));
  CHECK(q("isParked!=urn:ngsi-ld:OffStreetParking:Downtown2"));
  CHECK(q("isParked.providedBy==urn:ngsi-ld:Person:Bob"));
  // A multi-object relationship matches any of its objects.
  json fleet
      = {{"owner",
          {{"type", "Relationship"},
           {"object", {"urn:ngsi-ld:Person:1", "urn:ngsi-ld:Person:2"}}}}};
  CHECK(q("owner==urn:ngsi-ld:Person:2", fleet));
  CHECK_FALSE(q("owner!=urn:ngsi-ld:Person:2", fleet));
  CHECK(q("owner!=urn:ngsi-ld:Person:3", fleet));
  // URIs compare with Property strings too (they are strings).
  json prop = {{"ref", {{"type", "Property"}, {"value", "https://x.org/a"}}}};
  CHECK(q("ref==https://x.org/a", prop));
}

TEST_CASE("ranges include both bounds with == and mean outside with !=",
          "[broker][q]") {
  CHECK(q("airQualityLevel==6..8"));
  CHECK(q("airQualityLevel==4..6"));
  CHECK(q("airQualityLevel==5.5..6.5"));
  CHECK_FALSE(q("airQualityLevel==7..8"));
  CHECK(q("airQualityLevel!=7..8"));
  CHECK_FALSE(q("airQualityLevel!=6..8"));
  CHECK(q("airQualityLevel==-10..10"));
  CHECK(q(R"(brandName=="M".."N")"));
  CHECK_FALSE(q(R"(brandName=="A".."B")"));
  CHECK(q("speed.observedAt==2026-05-01T00:00:00Z..2026-05-01T23:59:59Z"));
  CHECK_FALSE(
      q("speed.observedAt!=2026-05-01T00:00:00Z..2026-05-02T00:00:00Z"));
  // A string is not inside a numeric range, nor outside it.
  CHECK_FALSE(q("brandName==1..9"));
  CHECK_FALSE(q("brandName!=1..9"));
}

TEST_CASE("lists match any item with == and no item with !=", "[broker][q]") {
  CHECK(q(R"(status=="active","inactive")"));
  CHECK_FALSE(q(R"(status=="active","broken")"));
  CHECK(q(R"(status!="active","broken")"));
  CHECK_FALSE(q(R"(status!="active","inactive")"));
  CHECK(q("airQualityLevel==1,2,6"));
  CHECK_FALSE(q("airQualityLevel==1,2,3"));
  CHECK(q("airQualityLevel!=1,2,3"));
  // Items may be ranges, and of mixed types: only comparable ones count.
  CHECK(q("airQualityLevel==1..2,5..7"));
  CHECK(q(R"(airQualityLevel==6,"six")"));
  CHECK(q(R"(airQualityLevel!=5,"six")"));
}

TEST_CASE("regular expressions search string values", "[broker][q]") {
  CHECK(q(R"(brandName~="Merc")"));
  CHECK(q(R"(brandName~="^Merc.*s$")"));
  CHECK_FALSE(q(R"(brandName~="^merc")"));
  CHECK(q(R"(brandName~="(?i)^merc")"));
  CHECK(q(R"(brandName!~="^BMW")"));
  CHECK_FALSE(q(R"(brandName!~="Merc")"));
  CHECK(q(R"(isParked~="Downtown\d+$")"));
  CHECK(q(R"(name[en]~="^Hi")"));
  // A number is not a string: neither ~= nor !~= holds.
  CHECK_FALSE(q(R"(airQualityLevel~="6")"));
  CHECK_FALSE(q(R"(airQualityLevel!~="7")"));
  // Arrays: ~= if some element matches, !~= if none does.
  CHECK(q(R"(tags~="^bl")"));
  CHECK(q(R"(tags!~="^gr")"));
  CHECK_FALSE(q(R"(tags!~="^bl")"));
}

TEST_CASE("DateTime literals compare as instants across time zones",
          "[broker][q]") {
  CHECK(q("speed.observedAt==2026-05-01T20:00:00Z"));
  CHECK(q("speed.observedAt==2026-05-01T22:00:00+02:00"));
  CHECK(q("speed.observedAt==2026-05-01T20:00:00.000Z"));
  CHECK(q("speed.observedAt>2026-05-01T19:59:59.999Z"));
  CHECK(q("speed.observedAt<2026-05-01T20:00:00.000001Z"));
  CHECK_FALSE(q("speed.observedAt>2026-05-01T20:00:00Z"));
  CHECK(q("speed.observedAt>=2017-12-24T12:00:00Z"));
  // lastSeen is 21:00 at +01:00 (20:00Z), wrapped as a JSON-LD @value.
  CHECK(q("lastSeen==2026-05-01T20:00:00Z"));
  // A date-time does not compare with a plain string value.
  CHECK_FALSE(q("brandName<2030-01-01T00:00:00Z"));
}

TEST_CASE("Date and Time literals compare values of the same format",
          "[broker][q]") {
  CHECK(q("serviced==2026-04-01"));
  CHECK(q("serviced>2026-03-31"));
  CHECK(q("serviced<2026-04-02"));
  CHECK(q("serviced==2026-01-01..2026-12-31"));
  CHECK(q("opens==08:30:00"));
  CHECK(q("opens==08:30"));
  CHECK(q("opens<09:00:00Z"));
  CHECK(q("opens>08:29:59.5"));
  // A date is not a date-time: observedAt holds a date-time.
  CHECK_FALSE(q("speed.observedAt>2020-01-01"));
  CHECK_FALSE(q("serviced<12:00:00"));
}

TEST_CASE("bare attribute names test existence and ! tests absence",
          "[broker][q]") {
  CHECK(q("speed"));
  CHECK(q("isParked"));
  CHECK(q("!colour"));
  CHECK_FALSE(q("colour"));
  CHECK_FALSE(q("!speed"));
  CHECK(q("speed.accuracy"));
  CHECK(q("!speed.precision"));
  CHECK(q("speed.unitCode"));
  CHECK(q("address[city]"));
  CHECK(q("!address[country]"));
  // A null value counts as absent; id and type are not attributes.
  CHECK(q("!note"));
  CHECK(q("!id;!type"));
  CHECK(q("speed;!colour;isParked"));
}

TEST_CASE("a multi-instance attribute matches if any instance matches",
          "[broker][q]") {
  // temperature instances: 21 (dataset a) and 35 (dataset b).
  CHECK(q("temperature==21"));
  CHECK(q("temperature==35"));
  CHECK(q("temperature>30"));
  CHECK(q("temperature<30"));
  CHECK_FALSE(q("temperature>40"));
  // Each instance on its own: 21 != 35 holds for the first one.
  CHECK(q("temperature!=35"));
  CHECK(q("temperature.datasetId==urn:ngsi-ld:Dataset:b"));
  CHECK_FALSE(q("temperature.datasetId==urn:ngsi-ld:Dataset:c"));
}

TEST_CASE("dotted paths reach sub-attributes and metadata", "[broker][q]") {
  CHECK(q("speed.accuracy>0.8"));
  CHECK_FALSE(q("speed.accuracy>0.95"));
  CHECK(q(R"(speed.unitCode=="KMH")"));
  CHECK_FALSE(q(R"(speed.unitCode=="MTS")"));
  CHECK(q("isParked.observedAt<2020-01-01T00:00:00Z"));
  json sys = {{"speed",
               {{"type", "Property"},
                {"value", 3},
                {"createdAt", "2026-01-01T00:00:00Z"},
                {"modifiedAt", "2026-02-01T00:00:00Z"},
                {"accuracy",
                 {{"type", "Property"},
                  {"value", 1},
                  {"observedAt", "2026-03-01T00:00:00Z"}}}}}};
  CHECK(q("speed.createdAt<2026-01-02T00:00:00Z", sys));
  CHECK(q("speed.modifiedAt>2026-01-31T00:00:00Z", sys));
  // Sub-attribute metadata, two dots deep.
  CHECK(q("speed.accuracy.observedAt==2026-03-01T00:00:00Z", sys));
}

TEST_CASE("bracket keys index into JSON values and language maps",
          "[broker][q]") {
  CHECK(q(R"(address[city]=="Berlin")"));
  CHECK_FALSE(q(R"(address[city]=="Paris")"));
  CHECK(q("address[geo][zip]==10115"));
  CHECK(q("address[geo][zip]==10000..11000"));
  CHECK_FALSE(q("address[geo][zip][x]"));
  CHECK(q(R"(name[fr]=="Ruche")"));
  CHECK_FALSE(q(R"(name[fr]=="Hive")"));
  // Without a key, a LanguageProperty matches in any language.
  CHECK(q(R"(name=="Hive")"));
  json nested
      = {{"device",
          {{"type", "Property"},
           {"value", 1},
           {"config", {{"type", "Property"}, {"value", {{"mode", "auto"}}}}}}}};
  CHECK(q(R"(device.config[mode]=="auto")", nested));
}

TEST_CASE("array values match == on an element and != when none is equal",
          "[broker][q]") {
  CHECK(q(R"(tags=="red")"));
  CHECK(q(R"(tags=="green","blue")"));
  CHECK_FALSE(q(R"(tags=="green")"));
  CHECK(q(R"(tags!="green")"));
  CHECK_FALSE(q(R"(tags!="red")"));
  CHECK(q(R"(tags>"b")"));
  json numbers = {{"levels", {{"type", "Property"}, {"value", {1, 5, 9}}}}};
  CHECK(q("levels>8", numbers));
  CHECK(q("levels==4..6", numbers));
  CHECK_FALSE(q("levels==6..8", numbers));
}

TEST_CASE("type mismatches never match and never throw", "[broker][q]") {
  CHECK_FALSE(q(R"(airQualityLevel=="6")"));
  CHECK_FALSE(q(R"(airQualityLevel!="6")"));
  CHECK_FALSE(q("brandName==6"));
  CHECK_FALSE(q("brandName!=6"));
  CHECK_FALSE(q("brandName>6"));
  CHECK_FALSE(q("enabled==1"));
  CHECK_FALSE(q("address>1"));
  CHECK_FALSE(q("location==1"));
  CHECK_FALSE(q("speed.unitCode>3"));
  CHECK_FALSE(q("speed[x]==1"));
  // Odd documents do not throw either.
  CHECK_FALSE(q("speed==1", json::array()));
  CHECK_FALSE(q("speed==1", json("text")));
  CHECK_FALSE(q("speed==1", json{{"speed", 1}}));
  CHECK_FALSE(q("speed==1", json{{"speed", {1, json::array(), nullptr}}}));
  CHECK(q("!speed", json::object()));
}

TEST_CASE("whitespace around tokens is ignored", "[broker][q]") {
  CHECK(q(" airQualityLevel == 6 ; ( humidity > 80 | status == \"x\" ) "));
  CHECK(q(R"(status == "active" , "inactive")"));
}

TEST_CASE("attributes lists the first path segments once each", "[broker][q]") {
  auto query = parse_q(R"(temperature>20;humidity<80|(status=="inactive");)"
                       R"(speed.unitCode;!colour;temperature.datasetId;)"
                       R"(address[city])");
  REQUIRE(query);
  using list = std::vector<std::string>;
  CHECK(query->attributes()
        == list{"temperature", "humidity", "status", "speed", "colour",
                "address"});
  CHECK(query->text().starts_with("temperature>20"));
  CHECK(q_query{}.attributes().empty());
}

TEST_CASE("an empty query object matches every entity", "[broker][q]") {
  q_query all;
  CHECK(all.empty());
  CHECK(all.matches(vehicle()));
  CHECK(all.matches(json::object()));
}
