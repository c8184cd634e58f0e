// twin/broker/live_entity.cpp
#include "twin/broker/live_entity.hpp"

#include "twin/iso_time.hpp"
#include "twin/entity_kind.hpp"
#include "twin/quantity.hpp"

#include <algorithm>
#include <cctype>

namespace citytwin::broker {

std::string ngsi_attribute_name(std::string_view twin_name) {
  if (auto q = twin::parse_quantity(twin_name))
    return std::string{twin::info(*q).ngsi};
  std::string result;
  bool upper = false;
  for (char c : twin_name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    result += upper ? static_cast<char>(std::toupper(c)) : c;
    upper = false;
  }
  return result;
}

json live_attributes(const twin::entity_state& state) {
  json result = json::object();
  auto observed = state.updated > 0 ? twin::format_iso_time(state.updated)
                                    : std::string{};
  for (const auto& a : twin::attributes(state)) {
    json attr = {{"type", "Property"}, {"value", a.value}};
    if (twin::parse_quantity(a.name) && !observed.empty())
      attr["observedAt"] = observed;
    result[ngsi_attribute_name(a.name)] = std::move(attr);
  }
  return result;
}

const std::vector<std::string>& live_attribute_names(twin::entity_kind kind) {
  static const auto table = [] {
    std::vector<std::vector<std::string>> result(twin::num_entity_kinds + 1);
    for (size_t k = 1; k <= twin::num_entity_kinds; ++k) {
      auto state = twin::make_state(
          twin::entity_id{static_cast<twin::entity_kind>(k), 0});
      for (const auto& a : twin::attributes(state))
        result[k].push_back(ngsi_attribute_name(a.name));
      std::sort(result[k].begin(), result[k].end());
    }
    return result;
  }();
  return table.at(static_cast<size_t>(kind));
}

json live_location(const live_geometry& where) {
  json geometry;
  if (where.line) {
    json line = json::array();
    for (auto p : *where.line)
      line.push_back({p.lon, p.lat});
    geometry = {{"type", "LineString"}, {"coordinates", std::move(line)}};
  } else {
    geometry = {{"type", "Point"},
                {"coordinates", {where.point.lon, where.point.lat}}};
  }
  return {{"type", "GeoProperty"}, {"value", std::move(geometry)}};
}

geo_shape live_shape(const live_geometry& where) {
  geo_shape result;
  if (where.line) {
    result.type = geometry_type::line_string;
    result.lines.push_back(*where.line);
  } else {
    result.type = geometry_type::point;
    result.points.push_back(where.point);
  }
  return result;
}

json render_live(const std::string& id, const live_record& record) {
  auto doc = record.extras ? *record.extras : json::object();
  auto attrs = live_attributes(record.state);
  for (auto& [name, value] : attrs.items())
    doc[name] = std::move(value);
  if (record.where.known)
    doc["location"] = live_location(record.where);
  doc["id"] = id;
  doc["type"] = std::string{twin::ngsi_type(record.state.id.kind)};
  doc["createdAt"] = twin::format_iso_time(record.created_ms);
  doc["modifiedAt"] = twin::format_iso_time(record.modified_ms);
  return doc;
}

} // namespace citytwin::broker
