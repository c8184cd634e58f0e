// twin/broker/ngsi_entity.cpp
#include "twin/broker/ngsi_entity.hpp"

#include "twin/broker/broker_error.hpp"
#include "twin/broker/geo_shape.hpp"
#include "twin/error.hpp"

namespace citytwin::broker {

namespace {

constexpr size_t max_name_bytes = 256;

bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// scheme ":" with a letter first (RFC 3986 section 3.1).
bool has_scheme(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || !is_alpha(text[0]))
    return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = text[i];
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
      return false;
  }
  return colon + 1 < text.size();
}

bool has_forbidden_char(std::string_view text) {
  for (unsigned char c : text)
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '\''
        || c == '=' || c == ';' || c == '(' || c == ')' || c == '\\')
      return true;
  return false;
}

caf::error bad(std::string detail) {
  return make_problem(broker_errc::bad_request_data, std::move(detail));
}

bool is_geojson_geometry(const json& value) {
  if (!value.is_object() || !value.contains("type")
      || !value["type"].is_string())
    return false;
  static constexpr std::string_view types[]
      = {"Point",           "MultiPoint", "LineString",
         "MultiLineString", "Polygon",    "MultiPolygon"};
  auto type = value["type"].get_ref<const std::string&>();
  for (auto t : types)
    if (type == t)
      return value.contains("coordinates") && value["coordinates"].is_array();
  return false;
}

// Geometry is checked when it is written, as queries would read it later
// (RFC 7946 sizes, WGS84 ranges, 2 or 3 numbers per position), so that a
// stored entity never holds a location that every geo-query rejects.
caf::error check_geometry(std::string_view name, const json& geometry) {
  auto shape = parse_geo_shape(geometry);
  if (shape)
    return {};
  return bad("geo-property '" + std::string{name}
             + "': " + twin::describe(shape.error()));
}

caf::expected<json> normalize_one(std::string_view name, const json& value) {
  // Concise form: a bare value is a Property.
  if (!value.is_object())
    return json{{"type", "Property"}, {"value", value}};
  if (!value.contains("type") || !value["type"].is_string()) {
    if (value.contains("object")) {
      auto result = value;
      result["type"] = "Relationship";
      return normalize_one(name, result);
    }
    if (value.contains("value")) {
      auto result = value;
      result["type"] = "Property";
      return normalize_one(name, result);
    }
    // A JSON object value without members we know: a Property holding it.
    return json{{"type", "Property"}, {"value", value}};
  }
  const auto& type = value["type"].get_ref<const std::string&>();
  if (is_geojson_geometry(value)) {
    if (auto err = check_geometry(name, value))
      return err;
    return json{{"type", "GeoProperty"}, {"value", value}};
  }
  json result = value;
  if (type == "Property" || type == "LanguageProperty"
      || type == "VocabProperty" || type == "ListProperty") {
    if (!value.contains("value") && !value.contains("languageMap")
        && !value.contains("vocab") && !value.contains("valueList"))
      return bad("attribute '" + std::string{name} + "' has no value");
    if (value.contains("value") && value["value"].is_null())
      return bad("attribute '" + std::string{name} + "' has a null value");
  } else if (type == "Relationship") {
    const auto& object = value.value("object", json{});
    if (!(object.is_string() && has_scheme(object.get<std::string>()))
        && !(object.is_array() && !object.empty()))
      return bad("relationship '" + std::string{name}
                 + "' needs an 'object' URI");
  } else if (type == "GeoProperty") {
    const auto& geometry = value.value("value", json{});
    if (!is_geojson_geometry(geometry))
      return bad("geo-property '" + std::string{name}
                 + "' needs a GeoJSON geometry value");
    if (auto err = check_geometry(name, geometry))
      return err;
  } else {
    return bad("attribute '" + std::string{name} + "' has unknown type '" + type
               + "'");
  }
  // Sub-attributes: the same rules, one level down; metadata members pass.
  for (auto& [sub, sub_value] : result.items()) {
    if (is_reserved_member(sub) || sub == "value" || sub == "object"
        || sub == "unitCode" || sub == "datasetId" || sub == "languageMap"
        || sub == "vocab" || sub == "valueList" || sub == "lang")
      continue;
    if (!valid_name(sub))
      return bad("invalid sub-attribute name in '" + std::string{name} + "'");
    auto normalized = normalize_one(sub, sub_value);
    if (!normalized)
      return normalized.error();
    sub_value = std::move(*normalized);
  }
  return result;
}

} // namespace

bool valid_entity_id(std::string_view id) {
  if (id.empty() || id.size() > max_name_bytes || !has_scheme(id))
    return false;
  if (has_forbidden_char(id) || id.find('/') != std::string_view::npos
      || id.find("..") != std::string_view::npos
      || id.find('#') != std::string_view::npos
      || id.find('?') != std::string_view::npos)
    return false;
  return true;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > max_name_bytes || has_forbidden_char(name))
    return false;
  if (has_scheme(name))
    return true;
  if (!is_alpha(name[0]) && name[0] != '_')
    return false;
  for (char c : name)
    if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '.' && c != '-')
      return false;
  return true;
}

bool is_reserved_member(std::string_view name) {
  return name == "id" || name == "type" || name == "@context"
         || name == "createdAt" || name == "modifiedAt" || name == "observedAt"
         || name == "scope";
}

caf::expected<json> normalize_attribute(std::string_view name,
                                        const json& value) {
  if (!valid_name(name))
    return bad("invalid attribute name");
  if (value.is_array()) {
    // Several instances, told apart by datasetId.
    if (value.empty())
      return bad("attribute '" + std::string{name} + "' is an empty array");
    json result = json::array();
    for (const auto& instance : value) {
      if (!instance.is_object())
        return normalize_one(name, value); // a plain array value
      auto one = normalize_one(name, instance);
      if (!one)
        return one.error();
      result.push_back(std::move(*one));
    }
    return result;
  }
  return normalize_one(name, value);
}

caf::expected<json> normalize_fragment(const json& body, bool allow_id_type) {
  if (!body.is_object())
    return bad("the body must be a JSON object");
  json result = json::object();
  for (const auto& [name, value] : body.items()) {
    if (name == "@context")
      continue;
    if (name == "id" || name == "type") {
      if (!allow_id_type)
        return bad("'" + name + "' cannot be changed here");
      result[name] = value;
      continue;
    }
    if (name == "createdAt" || name == "modifiedAt")
      continue; // system attributes are the broker's own
    if (name == "scope" || name == "observedAt") {
      result[name] = value;
      continue;
    }
    auto attr = normalize_attribute(name, value);
    if (!attr)
      return attr.error();
    result[name] = std::move(*attr);
  }
  return result;
}

caf::expected<json> normalize_entity(const json& body) {
  if (!body.is_object())
    return bad("an entity must be a JSON object");
  if (!body.contains("id") || !body["id"].is_string())
    return bad("an entity needs a string 'id'");
  if (!valid_entity_id(body["id"].get_ref<const std::string&>()))
    return bad("entity id is not a valid URI");
  if (!body.contains("type"))
    return bad("an entity needs a 'type'");
  const auto& type = body["type"];
  if (type.is_array()) {
    if (type.empty())
      return bad("entity type list is empty");
    for (const auto& t : type)
      if (!t.is_string() || !valid_name(t.get<std::string>()))
        return bad("invalid entity type");
  } else if (!type.is_string() || !valid_name(type.get<std::string>())) {
    return bad("invalid entity type");
  }
  return normalize_fragment(body, true);
}

namespace {

json compact_attribute(const json& attr, entity_format format) {
  if (attr.is_array()) {
    json result = json::array();
    for (const auto& instance : attr)
      result.push_back(compact_attribute(instance, format));
    return result;
  }
  if (format == entity_format::normalized || !attr.is_object())
    return attr;
  const auto type = attr.value("type", std::string{});
  if (format == entity_format::key_values) {
    if (type == "Relationship")
      return attr.value("object", json{});
    return attr.value("value", json{});
  }
  // concise: drop inferable types; a bare Property becomes its value.
  json result = attr;
  result.erase("type");
  if (type == "Property" && result.size() == 1 && result.contains("value")
      && !result["value"].is_object())
    return result["value"];
  // Sub-attributes compact too; a value or object is data, not an
  // attribute, even with a `type` member (a GeoJSON geometry has one).
  for (auto& [name, sub] : result.items())
    if (name != "value" && name != "object" && name != "languageMap"
        && sub.is_object() && sub.contains("type"))
      sub = compact_attribute(sub, format);
  return result;
}

} // namespace

namespace {

// Both overloads: `Entity` is `const json&` (copies) or `json&&` (moves).
template <class Entity>
json render_members(Entity&& entity, const std::vector<std::string>& attrs,
                    entity_format format, bool sys_attrs) {
  constexpr bool owned = !std::is_lvalue_reference_v<Entity>;
  auto take = [](auto& value) -> json {
    if constexpr (owned)
      return std::move(value);
    else
      return value;
  };
  json result = json::object();
  for (auto& [name, value] : entity.items()) {
    if (name == "id" || name == "type" || name == "scope") {
      result[name] = take(value);
      continue;
    }
    if (name == "createdAt" || name == "modifiedAt") {
      if (sys_attrs && format != entity_format::key_values)
        result[name] = take(value);
      continue;
    }
    if (!attrs.empty()
        && std::find(attrs.begin(), attrs.end(), name) == attrs.end())
      continue;
    if (!sys_attrs && value.is_object()
        && (value.contains("createdAt") || value.contains("modifiedAt"))) {
      json copy = take(value);
      copy.erase("createdAt");
      copy.erase("modifiedAt");
      result[name] = compact_attribute(copy, format);
    } else if (format == entity_format::normalized) {
      result[name] = take(value); // nothing to compact
    } else {
      result[name] = compact_attribute(value, format);
    }
  }
  return result;
}

} // namespace

json render_entity(const json& entity, const std::vector<std::string>& attrs,
                   entity_format format, bool sys_attrs) {
  return render_members(entity, attrs, format, sys_attrs);
}

json render_entity(json&& entity, const std::vector<std::string>& attrs,
                   entity_format format, bool sys_attrs) {
  return render_members(std::move(entity), attrs, format, sys_attrs);
}

std::vector<std::string> attribute_names(const json& entity) {
  std::vector<std::string> result;
  for (const auto& [name, value] : entity.items())
    if (!is_reserved_member(name))
      result.push_back(name);
  return result;
}

} // namespace citytwin::broker
