// adapters/archive/geojson_export.cpp
#include "adapters/archive/geojson_export.hpp"

#include "adapters/archive/file_io.hpp"
#include "twin/civil_time.hpp"
#include "twin/entity_id.hpp"
#include "twin/entity_kind.hpp"
#include "twin/quantity.hpp"

#include <nlohmann/json.hpp>

#include <unordered_map>
#include <vector>

namespace citytwin::archive {

namespace {

using json = nlohmann::ordered_json;

json position(const twin::geo_point& p) {
  return json::array({p.lon, p.lat});
}

// Newest value per quantity, by entity.
using latest_index
    = std::unordered_map<twin::entity_id, std::vector<const twin::reading*>>;

latest_index index_latest(const twin::reading_batch& latest) {
  latest_index result;
  for (const auto& r : latest)
    result[r.target].push_back(&r);
  return result;
}

// One Feature; adds the values it holds to `num_values`.
json feature(const std::string& city, twin::entity_id id, json geometry,
             const std::string& name, const latest_index& latest,
             uint64_t& num_values) {
  json properties{{"type", twin::ngsi_type(id.kind)}};
  if (!name.empty())
    properties["name"] = name;
  if (auto i = latest.find(id); i != latest.end()) {
    for (const auto* r : i->second) {
      const auto& q = twin::info(r->what);
      // JSON has no NaN or infinity: such a value becomes null.
      properties[std::string{q.ngsi}]
          = json{{"value", r->value},
                 {"observedAt", twin::format_iso_time(r->time)},
                 {"unit", q.unit}};
      ++num_values;
    }
  }
  return json{{"type", "Feature"},
              {"id", twin::to_urn(id, city)},
              {"geometry", std::move(geometry)},
              {"properties", std::move(properties)}};
}

// An API entity as a Feature: its GeoJSON `location` (a GeoProperty) as
// geometry, every other attribute by its value (or object).
json api_feature(const nlohmann::json& doc) {
  json geometry = nullptr;
  json properties = json::object();
  properties["type"] = json::parse(doc.value("type", nlohmann::json{}).dump());
  for (const auto& [name, attr] : doc.items()) {
    if (name == "id" || name == "type" || name == "@context")
      continue;
    const nlohmann::json* value = &attr;
    if (attr.is_object() && attr.contains("value"))
      value = &attr["value"];
    else if (attr.is_object() && attr.contains("object"))
      value = &attr["object"];
    if (name == "location" && value->is_object() && value->contains("type")
        && value->contains("coordinates"))
      geometry = json::parse(value->dump());
    else
      properties[name] = json::parse(value->dump());
  }
  return json{{"type", "Feature"},
              {"id", doc.value("id", std::string{})},
              {"geometry", std::move(geometry)},
              {"properties", std::move(properties)}};
}

} // namespace

caf::expected<export_report>
write_geojson(const twin::city& c, const twin::reading_batch& latest,
              const std::vector<created_binding>& created,
              const std::vector<nlohmann::json>& api_entities,
              const std::filesystem::path& output) {
  auto file = staged_file::create(output);
  if (!file)
    return file.error();
  auto index = index_latest(latest);
  export_report result;
  caf::error err
      = file->append("{\"type\":\"FeatureCollection\",\"features\":[");
  // One feature per line, so a million-entity city never sits in memory
  // as one JSON document.
  auto add = [&](json f) {
    if (err)
      return;
    std::string text = result.items++ == 0 ? "\n" : ",\n";
    text += f.dump(-1, ' ', false, json::error_handler_t::replace);
    err = file->append(text);
  };
  for (const auto* v : c.roads.intersections())
    add(feature(c.name, {twin::entity_kind::intersection, v->number},
                json{{"type", "Point"}, {"coordinates", position(v->where)}},
                {}, index, result.samples));
  for (const auto* s : c.roads.segments()) {
    auto line = json::array();
    for (const auto& p : c.roads.geometry(*s))
      line.push_back(position(p));
    add(feature(c.name, {twin::entity_kind::road_segment, s->number},
                json{{"type", "LineString"}, {"coordinates", std::move(line)}},
                s->name, index, result.samples));
  }
  for (const auto& p : c.things)
    add(feature(c.name, p.id,
                json{{"type", "Point"}, {"coordinates", position(p.where)}}, {},
                index, result.samples));
  for (const auto& [external, id] : created) {
    auto f = feature(c.name, id, nullptr, {}, index, result.samples);
    f["properties"]["external"] = external;
    add(std::move(f));
  }
  for (const auto& doc : api_entities)
    add(api_feature(doc));
  if (!err)
    err = file->append("\n]}\n");
  if (!err)
    err = file->commit();
  if (err)
    return err;
  result.bytes = file->size();
  return result;
}

} // namespace citytwin::archive
