// adapters/ngsi/open_data.cpp: the open-data endpoint.
//   GET /opendata/v1                          tenants and their open types
//   GET /opendata/v1/{tenant}/entities[?type=T&limit=&offset=&format=csv]
//   GET /opendata/v1/{tenant}/entities.csv?type=T
// No credentials; each client address gets `open_data.requests_per_minute`.
#include "twin/broker/ngsi_entity.hpp"
#include "adapters/ngsi/api_context.hpp"
#include "adapters/ngsi/ngsi_api.hpp"
#include "twin/text.hpp"

#include <chrono>
#include <set>

namespace citytwin::ngsi {

namespace {

using broker::broker_errc;

constexpr size_t max_open_limit = 1000;

bool is_open(const twin::tenant_config& t, std::string_view type) {
  return twin::level_of(t, type) == twin::sharing_level::open_data;
}

std::string csv_field(const json& value) {
  std::string text;
  if (value.is_string())
    text = value.get<std::string>();
  else if (value.is_null())
    return {};
  else
    text = value.dump();
  if (text.find_first_of(",\"\n\r") == std::string::npos)
    return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"')
      quoted += '"';
    quoted += c;
  }
  return quoted + '"';
}

// One cell for an attribute: a Property's value, a Relationship's object,
// a point as "lon lat".
json cell_of(const json& attr) {
  if (!attr.is_object())
    return attr;
  auto type = attr.value("type", std::string{});
  if (type == "Relationship")
    return attr.value("object", json{});
  if (type == "GeoProperty") {
    const auto& g = attr.value("value", json{});
    if (g.value("type", "") == "Point" && g.contains("coordinates")
        && g["coordinates"].size() == 2)
      return g["coordinates"][0].dump() + " " + g["coordinates"][1].dump();
    return g.dump();
  }
  return attr.value("value", json{});
}

std::string to_csv(const std::vector<json>& entities) {
  std::set<std::string> columns;
  for (const auto& e : entities)
    for (const auto& name : broker::attribute_names(e))
      columns.insert(name);
  std::string out = "id,type,modifiedAt";
  for (const auto& c : columns)
    out += "," + csv_field(c);
  out += "\r\n";
  for (const auto& e : entities) {
    out += csv_field(e["id"]) + "," + csv_field(e["type"]) + ","
           + csv_field(e.value("modifiedAt", json{}));
    for (const auto& c : columns)
      out += "," + (e.contains(c) ? csv_field(cell_of(e[c])) : "");
    out += "\r\n";
  }
  return out;
}

} // namespace

namespace {

// Everything before the tenant's state: method, rate limit, catalogue,
// which tenant. An answer, or nullopt when the tenant's TENANT has to
// answer (`call.tenant` set).
std::optional<http_response>
prepare_open_data(api_call& call, std::string_view path, bool& csv) {
  auto& brk = call.brk;
  const auto& req = call.req;
  if (req.method != "GET")
    return problem(call, broker_errc::method_not_allowed,
                   "the open-data endpoint is read-only");
  int retry_after = 0;
  auto now_s = std::chrono::duration<double>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count();
  // One allowance per tenant (the first path segment) and address: a
  // client busy with one city's open data leaves the others' untouched.
  auto area = path.substr(0, path.find('/', 1));
  if (!brk.open_data_limit().allow(std::string{area} + "|" + req.remote,
                                   now_s, retry_after)) {
    brk.refuse("open_data_rate_limit");
    auto res = problem(call, broker_errc::too_many_requests,
                       "rate limit of the open-data endpoint reached");
    res.set("Retry-After", std::to_string(std::max(1, retry_after)));
    return res;
  }
  auto params = parse_query(req.query);
  if (!params)
    return problem(call, broker_errc::bad_request_data, "bad %-escape");
  call.params = std::move(*params);
  if (path.empty() || path == "/") {
    json catalogue = json::array();
    for (const auto& t : brk.access().tenants) {
      json types = json::array();
      for (const auto& rule : t.sharing)
        if (rule.level == twin::sharing_level::open_data)
          types.push_back(
              {{"type", rule.entity_type}, {"licence", rule.licence}});
      if (!types.empty())
        catalogue.push_back({{"tenant", t.name}, {"published", types}});
    }
    return reply(call, 200, std::move(catalogue));
  }
  // /{tenant}/entities or /{tenant}/entities.csv
  auto rest = path.substr(1);
  auto slash = rest.find('/');
  auto tenant_name = std::string{rest.substr(0, slash)};
  auto resource = slash == std::string_view::npos ? std::string_view{}
                                                  : rest.substr(slash);
  const auto* tenant = twin::find_tenant(brk.access(), tenant_name);
  if (!tenant)
    return problem(call, broker_errc::not_found,
                   "no tenant '" + tenant_name + "'");
  call.tenant = tenant_name;
  csv = resource == "/entities.csv"
        || (call.param("format") && *call.param("format") == "csv");
  if (resource != "/entities" && resource != "/entities.csv")
    return problem(call, broker_errc::not_found, "no such resource");
  return std::nullopt;
}

// The published entities, inside the tenant's TENANT.
http_response query_open_data(api_call& call, const twin::tenant_config& owner,
                              bool csv) {
  auto& brk = call.brk;
  const auto* tenant = &owner;
  auto types = split_list(call.param("type"));
  for (const auto& t : types) {
    if (!broker::valid_name(t))
      return problem(call, broker_errc::bad_request_data, "invalid type");
    if (!is_open(*tenant, t)) {
      brk.refuse("open_data_not_published");
      return problem(call, broker_errc::forbidden,
                     "type '" + t + "' is not published as open data");
    }
  }
  size_t limit = 100;
  size_t offset = 0;
  if (const auto* text = call.param("limit"))
    if (!twin::parse_number(*text, limit) || limit == 0
        || limit > max_open_limit)
      return problem(call, broker_errc::bad_request_data,
                     "limit must be 1.." + std::to_string(max_open_limit));
  if (const auto* text = call.param("offset"))
    if (!twin::parse_number(*text, offset))
      return problem(call, broker_errc::bad_request_data, "bad offset");
  broker::entity_filter filter;
  filter.types = types;
  filter.visible = [tenant](std::string_view t) { return is_open(*tenant, t); };
  auto result = call.space->store().query(filter, offset, limit);
  http_response res;
  if (csv) {
    res.set("Content-Type", "text/csv; charset=utf-8");
    res.body = to_csv(result.entities);
  } else {
    json body = json::array();
    for (auto& e : result.entities)
      body.push_back(broker::render_entity(
          std::move(e), {}, broker::entity_format::normalized, false));
    res = reply(call, 200, std::move(body));
  }
  res.set("NGSILD-Results-Count", std::to_string(result.total));
  for (const auto& rule : tenant->sharing)
    if (rule.level == twin::sharing_level::open_data && !rule.licence.empty()
        && (types.empty()
            || std::find(types.begin(), types.end(), rule.entity_type)
                   != types.end())) {
      res.set("X-Licence", rule.licence);
      break;
    }
  return res;
}

} // namespace

void open_data(broker::broker& brk, std::shared_ptr<const http_request> req,
               std::string_view path, reply_fn done) {
  api_call call{*req, brk, twin::anonymous_principal(), nullptr, {}, {}};
  bool csv = false;
  if (auto answer = prepare_open_data(call, path, csv))
    return done(std::move(*answer));
  const auto* tenant = twin::find_tenant(brk.access(), call.tenant);
  on_tenant(
      std::move(call), std::move(req),
      [tenant, csv](api_call& call) {
        return query_open_data(call, *tenant, csv);
      },
      std::move(done));
}

} // namespace citytwin::ngsi
