// adapters/ngsi/entity_routes.cpp: /entities and its attributes.
#include "twin/broker/geo_query.hpp"
#include "twin/broker/live_json.hpp"
#include "twin/broker/ngsi_entity.hpp"
#include "twin/broker/ngsi_query.hpp"
#include "twin/broker/pattern.hpp"
#include "adapters/broker/twin_document.hpp"
#include "adapters/ngsi/api_context.hpp"
#include "twin/entity_kind.hpp"
#include "twin/text.hpp"

namespace citytwin::ngsi {

namespace {

using broker::broker_errc;

constexpr size_t default_limit = 20;
constexpr size_t max_limit = 1000;

struct render_options {
  broker::entity_format format = broker::entity_format::normalized;
  bool sys_attrs = false;
};

std::optional<render_options> options_of(api_call& call) {
  render_options result;
  for (const auto& option : split_list(call.param("options"))) {
    if (option == "keyValues")
      result.format = broker::entity_format::key_values;
    else if (option == "concise")
      result.format = broker::entity_format::concise;
    else if (option == "sysAttrs")
      result.sys_attrs = true;
    else if (option == "normalized")
      result.format = broker::entity_format::normalized;
    else if (option != "noOverwrite" && option != "update"
             && option != "replace")
      return std::nullopt;
  }
  if (const auto* format = call.param("format")) {
    if (*format == "keyValues" || *format == "simplified")
      result.format = broker::entity_format::key_values;
    else if (*format == "concise")
      result.format = broker::entity_format::concise;
    else if (*format != "normalized")
      return std::nullopt;
  }
  return result;
}

bool has_option(api_call& call, std::string_view name) {
  for (const auto& option : split_list(call.param("options")))
    if (option == name)
      return true;
  return false;
}

bool readable(api_call& call, const json& entity) {
  for (const auto& t : broker::types_of(entity))
    if (can_read(call, t))
      return true;
  return false;
}

bool readable(api_call& call, const broker::entity_store::item& x) {
  return x.live ? can_read(call, twin::ngsi_type(x.live->state.id.kind))
                : readable(call, *x.doc);
}

// Plain JSON answers (no JSON-LD context in the body, no GeoJSON) are
// written as text: live entities straight from their typed state.
bool plain_json(const api_call& call) {
  return !call.ld_json_out && !call.geo_json_out;
}

void append_entity(std::string& out, const broker::entity_store::item& x,
                   const std::vector<std::string>& attrs,
                   const render_options& options) {
  if (x.live
      && broker::append_live_entity(out, x.id, *x.live, attrs, options.format,
                                    options.sys_attrs))
    return;
  out += dump(broker::render_entity(x.document(), attrs, options.format,
                                    options.sys_attrs));
}

json geo_feature(const json& entity, const json& rendered) {
  json props = rendered;
  props.erase("id");
  json geometry = nullptr;
  if (entity.contains("location") && entity["location"].is_object())
    geometry = entity["location"].value("value", json{});
  return {{"id", entity["id"]},
          {"type", "Feature"},
          {"geometry", geometry},
          {"properties", props}};
}

// An entity the caller may not read gets the answer a missing one gets:
// a 403 here would confirm that the id exists in another tenant.
http_response hide(api_call& call, const std::string& id) {
  call.brk.refuse("hidden_entity");
  return problem(call, broker::entity_not_found(id));
}

http_response retrieve(api_call& call, const std::string& id) {
  auto options = options_of(call);
  if (!options)
    return problem(call, broker_errc::bad_request_data, "unknown option");
  auto found = call.space->store().find(id);
  if (!found)
    return problem(call, found.error());
  if (!readable(call, *found))
    return hide(call, id);
  auto attrs = split_list(call.param("attrs"));
  if (plain_json(call)) {
    std::string body;
    append_entity(body, *found, attrs, *options);
    return reply_text(call, 200, std::move(body));
  }
  auto doc = found->shared_document();
  auto rendered = broker::render_entity(*doc, attrs, options->format,
                                        options->sys_attrs);
  if (call.geo_json_out)
    return reply(call, 200, geo_feature(*doc, rendered));
  return reply(call, 200, std::move(rendered));
}

http_response query(api_call& call) {
  auto options = options_of(call);
  if (!options)
    return problem(call, broker_errc::bad_request_data, "unknown option");
  broker::entity_filter filter;
  filter.ids = split_list(call.param("id"));
  filter.types = split_list(call.param("type"));
  filter.attrs = split_list(call.param("attrs"));
  for (const auto& id : filter.ids)
    if (!broker::valid_entity_id(id))
      return problem(call, broker_errc::bad_request_data,
                     "id holds an invalid entity id");
  if (const auto* pattern = call.param("idPattern")) {
    try {
      filter.id_pattern = broker::compile_pattern(*pattern);
    } catch (const std::regex_error&) {
      return problem(call, broker_errc::bad_request_data,
                     "idPattern is not a valid regular expression");
    }
  }
  std::optional<broker::q_query> q;
  if (const auto* text = call.param("q")) {
    auto parsed = broker::parse_q(*text);
    if (!parsed)
      return problem(call, broker_errc::bad_request_data,
                     broker::detail_of(parsed.error()));
    q = std::move(*parsed);
    filter.q = &*q;
  }
  std::optional<broker::geo_query> geo;
  if (const auto* georel = call.param("georel")) {
    auto empty = std::string{};
    const auto* geometry = call.param("geometry");
    const auto* coords = call.param("coordinates");
    const auto* property = call.param("geoproperty");
    auto parsed = broker::parse_geo_query(*georel, geometry ? *geometry : empty,
                                          coords ? *coords : empty,
                                          property ? *property : empty);
    if (!parsed)
      return problem(call, broker_errc::bad_request_data,
                     broker::detail_of(parsed.error()));
    geo = std::move(*parsed);
    filter.geo = &*geo;
  } else if (call.param("geometry") || call.param("coordinates")) {
    return problem(call, broker_errc::bad_request_data,
                   "geometry and coordinates need georel");
  }
  if (filter.types.empty() && filter.attrs.empty() && !q && !geo
      && !filter.id_pattern)
    return problem(call, broker_errc::bad_request_data,
                   "a query needs type, attrs, q, idPattern or a geo-query");
  for (const auto& t : filter.types)
    if (!broker::valid_name(t))
      return problem(call, broker_errc::bad_request_data, "invalid type");
  // Asking for a type by name that the caller may not read is refused;
  // other queries only ever see what the caller may read.
  for (const auto& t : filter.types)
    if (!can_read(call, t))
      return refuse_read(call, "querying type '" + t + "'");
  filter.visible = [&call](std::string_view t) { return can_read(call, t); };
  size_t limit = default_limit;
  size_t offset = 0;
  bool count = call.param("count") && *call.param("count") == "true";
  if (const auto* text = call.param("limit")) {
    if (!twin::parse_number(*text, limit) || limit > max_limit)
      return problem(call, broker_errc::bad_request_data,
                     "limit must be 0.." + std::to_string(max_limit));
    if (limit == 0 && !count)
      return problem(call, broker_errc::bad_request_data,
                     "limit=0 needs count=true");
  }
  if (const auto* text = call.param("offset"))
    if (!twin::parse_number(*text, offset))
      return problem(call, broker_errc::bad_request_data, "bad offset");
  auto result = call.space->store().query_page(filter, offset, limit, count);
  http_response res;
  if (plain_json(call)) {
    std::string body = "[";
    for (const auto& x : result.items) {
      if (body.size() > 1)
        body += ',';
      append_entity(body, x, filter.attrs, *options);
    }
    body += ']';
    res = reply_text(call, 200, std::move(body));
  } else {
    json body = json::array();
    for (const auto& x : result.items) {
      auto doc = x.shared_document();
      auto rendered = broker::render_entity(*doc, filter.attrs,
                                            options->format,
                                            options->sys_attrs);
      body.push_back(call.geo_json_out ? geo_feature(*doc, rendered)
                                       : std::move(rendered));
    }
    if (call.geo_json_out)
      body = {{"type", "FeatureCollection"}, {"features", std::move(body)}};
    res = reply(call, 200, std::move(body));
  }
  if (count)
    res.set("NGSILD-Results-Count", std::to_string(result.total));
  return res;
}

http_response create(api_call& call) {
  // Anonymous callers never write: refuse before reading the body.
  if (call.who.k == twin::principal::kind::anonymous)
    return refuse_write(call, "creating entities");
  auto body = read_body(call);
  if (auto* res = std::get_if<http_response>(&body))
    return std::move(*res);
  auto entity = broker::normalize_entity(std::get<json>(body));
  if (!entity)
    return problem(call, entity.error());
  for (const auto& t : broker::types_of(*entity))
    if (!can_write(call, t))
      return refuse_write(call, "creating '" + t + "' entities");
  auto id = (*entity)["id"].get<std::string>();
  if (broker::twin_owned_id(id)) {
    call.brk.refuse("twin_owned_write");
    return problem(call, broker_errc::forbidden,
                   "ids under urn:ngsi-ld:Alert: and "
                   "urn:ngsi-ld:VirtualSensor: are the twin's own");
  }
  auto change = call.space->store().create(std::move(*entity));
  if (!change)
    return problem(call, change.error());
  if (auto err = call.space->commit(*change))
    return problem(call, err);
  auto res = empty(call, 201);
  res.set("Location", "/ngsi-ld/v1/entities/" + id);
  return res;
}

// Checks write access to an existing entity; its document on success.
std::variant<broker::entity_ptr, http_response>
writable(api_call& call, const std::string& id) {
  auto found = call.space->store().get(id);
  if (!found)
    return problem(call, found.error());
  for (const auto& t : broker::types_of(**found))
    if (can_write(call, t))
      return *found;
  if (!readable(call, **found))
    return hide(call, id);
  return refuse_write(call, "changing this entity");
}

// Hands the twin-owned attributes of a live entity to the twin and
// returns the rest for the store.
std::variant<json, http_response>
split_live(api_call& call, const std::string& id, json attrs) {
  if (!call.space->store().is_live(id) || !call.space->live)
    return attrs;
  auto rest = call.space->live(id, attrs);
  if (!rest)
    return problem(call, rest.error());
  return std::move(*rest);
}

http_response multi_status(api_call& call,
                           const std::vector<std::string>& updated,
                           const std::vector<std::string>& not_updated) {
  if (not_updated.empty())
    return empty(call, 204);
  json failed = json::array();
  for (const auto& name : not_updated)
    failed.push_back(
        {{"attributeName", name}, {"reason", "attribute not updated"}});
  return reply(call, 207, {{"updated", updated}, {"notUpdated", failed}});
}

http_response change_attrs(api_call& call, const std::string& id, bool append) {
  auto target = writable(call, id);
  if (auto* res = std::get_if<http_response>(&target))
    return std::move(*res);
  auto body = read_body(call);
  if (auto* res = std::get_if<http_response>(&body))
    return std::move(*res);
  auto fragment = broker::normalize_fragment(std::get<json>(body), false);
  if (!fragment)
    return problem(call, fragment.error());
  auto names = broker::attribute_names(*fragment);
  auto rest = split_live(call, id, std::move(*fragment));
  if (auto* res = std::get_if<http_response>(&rest))
    return std::move(*res);
  auto& remaining = std::get<json>(rest);
  std::vector<std::string> not_updated;
  if (!remaining.empty()) {
    auto change
        = append ? call.space->store().append(
              id, remaining, has_option(call, "noOverwrite"), not_updated)
                 : call.space->store().update(id, remaining, not_updated);
    if (!change)
      return problem(call, change.error());
    if (auto err = call.space->commit(*change))
      return problem(call, err);
  }
  std::vector<std::string> updated;
  for (auto& n : names)
    if (std::find(not_updated.begin(), not_updated.end(), n)
        == not_updated.end())
      updated.push_back(n);
  return multi_status(call, updated, not_updated);
}

http_response change_attribute(api_call& call, const std::string& id,
                               const std::string& attr) {
  if (!broker::valid_name(attr))
    return problem(call, broker_errc::bad_request_data,
                   "invalid attribute name");
  auto target = writable(call, id);
  if (auto* res = std::get_if<http_response>(&target))
    return std::move(*res);
  if (call.req.method == "DELETE") {
    auto change = call.space->store().remove_attribute(id, attr);
    if (!change)
      return problem(call, change.error());
    if (auto err = call.space->commit(*change))
      return problem(call, err);
    return empty(call, 204);
  }
  auto body = read_body(call);
  if (auto* res = std::get_if<http_response>(&body))
    return std::move(*res);
  auto& members = std::get<json>(body);
  if (!members.is_object())
    return problem(call, broker_errc::bad_request_data,
                   "the body must be an attribute fragment object");
  members.erase("@context");
  auto rest = split_live(call, id, json{{attr, members}});
  if (auto* res = std::get_if<http_response>(&rest))
    return std::move(*res);
  if (std::get<json>(rest).empty())
    return empty(call, 204);
  auto change = call.req.method == "PUT"
      ? [&]() -> caf::expected<broker::entity_change> {
    auto attr_value = broker::normalize_attribute(attr, members);
    if (!attr_value)
      return attr_value.error();
    std::vector<std::string> not_updated;
    auto result = call.space->store().update(id, json{{attr, *attr_value}},
                                             not_updated);
    if (result && !not_updated.empty())
      return broker::make_problem(broker_errc::not_found,
                                  "entity has no attribute '" + attr + "'");
    return result;
  }()
      : call.space->store().update_attribute(id, attr, members);
  if (!change)
    return problem(call, change.error());
  if (auto err = call.space->commit(*change))
    return problem(call, err);
  return empty(call, 204);
}

http_response change_entity(api_call& call, const std::string& id) {
  auto target = writable(call, id);
  if (auto* res = std::get_if<http_response>(&target))
    return std::move(*res);
  if (call.req.method == "DELETE") {
    auto change = call.space->store().remove(id);
    if (!change)
      return problem(call, change.error());
    if (auto err = call.space->commit(*change))
      return problem(call, err);
    return empty(call, 204);
  }
  auto body = read_body(call);
  if (auto* res = std::get_if<http_response>(&body))
    return std::move(*res);
  auto& doc = std::get<json>(body);
  if (call.req.method == "PUT") {
    if (!doc.contains("id"))
      doc["id"] = id;
    if (!doc.contains("type"))
      doc["type"] = (*std::get<broker::entity_ptr>(target))["type"];
    auto entity = broker::normalize_entity(doc);
    if (!entity)
      return problem(call, entity.error());
    if ((*entity)["id"] != id)
      return problem(call, broker_errc::bad_request_data,
                     "the body's id differs from the path");
    auto change = call.space->store().replace(id, std::move(*entity));
    if (!change)
      return problem(call, change.error());
    if (auto err = call.space->commit(*change))
      return problem(call, err);
    return empty(call, 204);
  }
  // PATCH: merge. Nulls delete, so they pass normalization untouched.
  json nulls = json::object();
  json rest = json::object();
  if (!doc.is_object())
    return problem(call, broker_errc::bad_request_data,
                   "the body must be a JSON object");
  for (auto& [name, value] : doc.items())
    (value.is_null() ? nulls : rest)[name] = value;
  auto fragment = broker::normalize_fragment(rest, true);
  if (!fragment)
    return problem(call, fragment.error());
  fragment->erase("id");
  fragment->erase("type");
  auto remaining = split_live(call, id, std::move(*fragment));
  if (auto* res = std::get_if<http_response>(&remaining))
    return std::move(*res);
  auto merged = std::get<json>(remaining);
  merged.update(nulls);
  if (merged.empty())
    return empty(call, 204);
  auto change = call.space->store().merge(id, merged);
  if (!change)
    return problem(call, change.error());
  if (auto err = call.space->commit(*change))
    return problem(call, err);
  return empty(call, 204);
}

} // namespace

std::optional<http_response> entity_routes(api_call& call,
                                           std::string_view path) {
  constexpr std::string_view prefix = "/entities";
  if (path.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  auto rest = path.substr(prefix.size());
  const auto& method = call.req.method;
  if (rest.empty() || rest == "/") {
    if (method == "GET")
      return query(call);
    if (method == "POST")
      return create(call);
    return problem(call, broker_errc::method_not_allowed,
                   "use GET or POST on /entities");
  }
  if (rest[0] != '/')
    return std::nullopt;
  rest.remove_prefix(1);
  auto slash = rest.find('/');
  auto id = percent_decode(rest.substr(0, slash));
  if (!id || !broker::valid_entity_id(*id))
    return problem(call, broker_errc::bad_request_data,
                   "the entity id is not a valid URI");
  if (slash == std::string_view::npos) {
    if (method == "GET")
      return retrieve(call, *id);
    if (method == "PATCH" || method == "PUT" || method == "DELETE")
      return change_entity(call, *id);
    return problem(call, broker_errc::method_not_allowed,
                   "use GET, PATCH, PUT or DELETE on an entity");
  }
  auto sub = rest.substr(slash);
  if (sub == "/attrs" || sub == "/attrs/") {
    if (method == "POST")
      return change_attrs(call, *id, true);
    if (method == "PATCH")
      return change_attrs(call, *id, false);
    return problem(call, broker_errc::method_not_allowed,
                   "use POST or PATCH on attrs");
  }
  constexpr std::string_view attrs = "/attrs/";
  if (sub.substr(0, attrs.size()) == attrs) {
    auto attr = percent_decode(sub.substr(attrs.size()));
    if (!attr)
      return problem(call, broker_errc::bad_request_data, "bad attribute name");
    if (method == "PATCH" || method == "PUT" || method == "DELETE")
      return change_attribute(call, *id, *attr);
    return problem(call, broker_errc::method_not_allowed,
                   "use PATCH, PUT or DELETE on an attribute");
  }
  return problem(call, broker_errc::not_found, "no such resource");
}

} // namespace citytwin::ngsi
