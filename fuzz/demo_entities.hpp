// fuzz/demo_entities.hpp: a few normalized NGSI-LD entities that parsed
// queries are matched against, so the fuzzer reaches the evaluators too
// (numbers, text, dates, nested values, a language map, geometries).
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

namespace citytwin::fuzz {

inline const std::vector<nlohmann::json>& demo_entities() {
  static const std::vector<nlohmann::json> result = {
    nlohmann::json::parse(R"({
      "id": "urn:ngsi-ld:StreetLight:demo:000001", "type": "StreetLight",
      "dimLevel": {"type": "Property", "value": 0.5, "unitCode": "P1",
                   "observedAt": "2026-05-01T20:00:00Z"},
      "status": {"type": "Property", "value": "on"},
      "installed": {"type": "Property",
                    "value": {"@type": "Date", "@value": "2020-01-02"}},
      "refRoad": {"type": "Relationship",
                  "object": "urn:ngsi-ld:RoadSegment:demo:7"},
      "location": {"type": "GeoProperty",
                   "value": {"type": "Point", "coordinates": [10.2, 56.15]}}})"),
    nlohmann::json::parse(R"({
      "id": "urn:ngsi-ld:Building:3f6a", "type": ["Building", "Office"],
      "name": {"type": "LanguageProperty",
               "languageMap": {"en": "Town hall", "da": "Raadhus"}},
      "address": {"type": "Property",
                  "value": {"street": "Main", "number": [1, 2]}},
      "levels": [{"type": "Property", "value": 6, "datasetId": "urn:a"},
                 {"type": "Property", "value": 7}],
      "flag": {"type": "Property", "value": true},
      "location": {"type": "GeoProperty", "value": {"type": "Polygon",
        "coordinates": [[[10.0, 56.0], [10.4, 56.0], [10.4, 56.3],
                         [10.0, 56.3], [10.0, 56.0]]]}}})"),
    nlohmann::json::parse(R"({
      "id": "urn:ngsi-ld:RoadSegment:demo:7", "type": "RoadSegment",
      "location": {"type": "GeoProperty", "value": {"type": "LineString",
        "coordinates": [[10.1, 56.1], [10.3, 56.2]]}},
      "speed": {"type": "Property", "value": -3.5e2}})"),
  };
  return result;
}

} // namespace citytwin::fuzz
