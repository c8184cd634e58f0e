// twin/broker/live_json.cpp
#include "twin/broker/live_json.hpp"

#include "twin/entity_kind.hpp"
#include "twin/iso_time.hpp"
#include "twin/json_text.hpp"
#include "twin/quantity.hpp"

#include <algorithm>

namespace citytwin::broker {

namespace {

using twin::append_json_number;
using twin::append_json_string;

void append_geometry(std::string& out, const live_geometry& where) {
  out += "{\"coordinates\":";
  if (where.line) {
    out += '[';
    for (size_t i = 0; i < where.line->size(); ++i) {
      if (i > 0)
        out += ',';
      twin::append_json_position(out, (*where.line)[i]);
    }
    out += "],\"type\":\"LineString\"}";
  } else {
    twin::append_json_position(out, where.point);
    out += ",\"type\":\"Point\"}";
  }
}

void append_location(std::string& out, const live_geometry& where,
                     entity_format format) {
  switch (format) {
    case entity_format::normalized:
      out += "{\"type\":\"GeoProperty\",\"value\":";
      append_geometry(out, where);
      out += '}';
      break;
    case entity_format::concise:
      out += "{\"value\":";
      append_geometry(out, where);
      out += '}';
      break;
    case entity_format::key_values:
      append_geometry(out, where);
      break;
  }
}

// A live attribute: a Property, with observedAt for measured quantities.
void append_property(std::string& out, double value,
                     const std::string* observed, entity_format format) {
  if (format == entity_format::key_values
      || (format == entity_format::concise && !observed)) {
    append_json_number(out, value);
    return;
  }
  out += '{';
  if (observed) {
    out += "\"observedAt\":";
    append_json_string(out, *observed);
    out += ',';
  }
  if (format == entity_format::normalized)
    out += "\"type\":\"Property\",";
  out += "\"value\":";
  append_json_number(out, value);
  out += '}';
}

} // namespace

bool append_live_entity(std::string& out, std::string_view id,
                        const live_record& record,
                        const std::vector<std::string>& attrs,
                        entity_format format, bool sys_attrs) {
  if (record.extras)
    return false;
  auto wanted = [&attrs](std::string_view name) {
    return attrs.empty()
           || std::find(attrs.begin(), attrs.end(), name) != attrs.end();
  };
  // Members in the order of nlohmann's std::map: by name.
  enum class what { attribute, location, id, type, created, modified };
  struct member {
    std::string name;
    what kind;
    double value = 0;
    bool measured = false;
  };
  std::vector<member> members;
  for (const auto& a : twin::attributes(record.state)) {
    auto name = ngsi_attribute_name(a.name);
    if (wanted(name))
      members.push_back({std::move(name), what::attribute, a.value,
                         twin::parse_quantity(a.name).has_value()});
  }
  if (record.where.known && wanted("location"))
    members.push_back({"location", what::location});
  members.push_back({"id", what::id});
  members.push_back({"type", what::type});
  if (sys_attrs && format != entity_format::key_values) {
    members.push_back({"createdAt", what::created});
    members.push_back({"modifiedAt", what::modified});
  }
  std::sort(members.begin(), members.end(),
            [](const member& a, const member& b) { return a.name < b.name; });
  auto observed = record.state.updated > 0
                    ? twin::format_iso_time(record.state.updated)
                    : std::string{};
  out += '{';
  bool first = true;
  for (const auto& m : members) {
    if (!first)
      out += ',';
    first = false;
    append_json_string(out, m.name);
    out += ':';
    switch (m.kind) {
      case what::attribute:
        append_property(out, m.value,
                        m.measured && !observed.empty() ? &observed : nullptr,
                        format);
        break;
      case what::location:
        append_location(out, record.where, format);
        break;
      case what::id:
        append_json_string(out, id);
        break;
      case what::type:
        append_json_string(out, twin::ngsi_type(record.state.id.kind));
        break;
      case what::created:
        append_json_string(out, twin::format_iso_time(record.created_ms));
        break;
      case what::modified:
        append_json_string(out, twin::format_iso_time(record.modified_ms));
        break;
    }
  }
  out += '}';
  return true;
}

} // namespace citytwin::broker
