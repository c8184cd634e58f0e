// adapters/ngsi/temporal_routes.cpp: /temporal/entities, the history the
// archive keeps (adapters/archive), under the live API's sharing rules.
#include "adapters/archive/temporal.hpp"
#include "adapters/ngsi/api_context.hpp"
#include "twin/broker/entity_store.hpp"
#include "twin/broker/ngsi_entity.hpp"
#include "twin/civil_time.hpp"
#include "twin/entity_id.hpp"
#include "twin/text.hpp"

namespace citytwin::ngsi {

using broker::broker_errc;

namespace {

// Entities per page of a temporal query by type: each reads its history.
constexpr size_t default_entities = 20;
constexpr size_t max_entities = 100;

bool readable_item(const api_call& call,
                   const broker::entity_store::item& x) {
  if (x.live)
    return can_read(call, twin::ngsi_type(x.live->state.id.kind));
  for (const auto& t : broker::types_of(*x.doc))
    if (can_read(call, t))
      return true;
  return false;
}

std::string type_of(const broker::entity_store::item& x) {
  if (x.live)
    return std::string{twin::ngsi_type(x.live->state.id.kind)};
  auto types = broker::types_of(*x.doc);
  return types.empty() ? std::string{} : types.front();
}

// One attribute's history in the temporal representation: instances
// (normalized), `values` pairs (temporalValues), or per-method triples
// (aggregated).
json render_history(const archive::temporal_query& q,
                    std::span<const archive::sample> xs, bool simplified) {
  if (!q.methods.empty()) {
    auto origin = q.from != std::numeric_limits<twin::time_ms>::min()
                    ? q.from
                    : (xs.empty() ? 0 : xs.front().time / q.period * q.period);
    auto buckets = archive::aggregate(xs, origin, q.period);
    if (q.last_n && buckets.size() > *q.last_n)
      buckets.erase(buckets.begin(),
                    buckets.end() - static_cast<ptrdiff_t>(*q.last_n));
    json attr = {{"type", "Property"}};
    for (auto m : q.methods) {
      json triples = json::array();
      for (const auto& b : buckets)
        triples.push_back({b.value(m), twin::format_iso_time(b.start),
                           twin::format_iso_time(b.end)});
      attr[std::string{archive::to_string(m)}] = std::move(triples);
    }
    return attr;
  }
  if (simplified) {
    json pairs = json::array();
    for (const auto& s : xs)
      pairs.push_back({s.value, twin::format_iso_time(s.time)});
    return {{"type", "Property"}, {"values", std::move(pairs)}};
  }
  json instances = json::array();
  for (const auto& s : xs)
    instances.push_back({{"type", "Property"},
                         {"value", s.value},
                         {"observedAt", twin::format_iso_time(s.time)}});
  return instances;
}

// The entity's history, or a problem.
std::variant<json, http_response>
history_of(api_call& call, const archive::tenant_archive& history,
           const broker::entity_store::item& x,
           const archive::temporal_query& q,
           const std::vector<std::string>& attrs, bool simplified) {
  json doc = {{"id", x.id}, {"type", type_of(x)}};
  for (const auto& name : history.streams_of(x.id)) {
    if (!attrs.empty()
        && std::find(attrs.begin(), attrs.end(), name.quantity) == attrs.end())
      continue;
    auto xs = archive::select(history, name, q);
    if (!xs)
      return problem(call, broker_errc::bad_request_data,
                     twin::describe(xs.error()));
    doc[name.quantity] = render_history(q, *xs, simplified);
  }
  return doc;
}

std::variant<archive::temporal_query, http_response>
read_query(api_call& call) {
  archive::temporal_params p;
  p.timerel = call.param("timerel");
  p.time_at = call.param("timeAt");
  p.end_time_at = call.param("endTimeAt");
  p.last_n = call.param("lastN");
  p.aggr_methods = call.param("aggrMethods");
  p.aggr_period = call.param("aggrPeriodDuration");
  auto q = archive::parse_temporal_query(p);
  if (!q) {
    call.brk.refuse("bad_temporal_query");
    return problem(call, broker_errc::bad_request_data,
                   twin::describe(q.error()));
  }
  return std::move(*q);
}

bool simplified_of(const api_call& call) {
  for (const auto& o : split_list(call.param("options")))
    if (o == "temporalValues")
      return true;
  return false;
}

http_response retrieve_history(api_call& call, const std::string& id) {
  auto q = read_query(call);
  if (auto* res = std::get_if<http_response>(&q))
    return std::move(*res);
  auto found = call.space->store().find(id);
  if (!found)
    return problem(call, found.error());
  if (!readable_item(call, *found)) {
    call.brk.refuse("hidden_entity");
    return problem(call, broker::entity_not_found(id));
  }
  auto history = call.brk.archive(call.tenant);
  if (!history)
    return problem(call, broker_errc::not_found,
                   "this tenant keeps no history (the server runs without "
                   "--archive)");
  auto doc = history_of(call, *history, *found,
                        std::get<archive::temporal_query>(q),
                        split_list(call.param("attrs")), simplified_of(call));
  if (auto* res = std::get_if<http_response>(&doc))
    return std::move(*res);
  return reply(call, 200, std::move(std::get<json>(doc)));
}

http_response query_history(api_call& call) {
  auto q = read_query(call);
  if (auto* res = std::get_if<http_response>(&q))
    return std::move(*res);
  broker::entity_filter filter;
  filter.ids = split_list(call.param("id"));
  filter.types = split_list(call.param("type"));
  if (filter.types.empty() && filter.ids.empty())
    return problem(call, broker_errc::bad_request_data,
                   "a temporal query needs type or id");
  for (const auto& t : filter.types) {
    if (!broker::valid_name(t))
      return problem(call, broker_errc::bad_request_data, "invalid type");
    if (!can_read(call, t))
      return refuse_read(call, "querying type '" + t + "'");
  }
  for (const auto& id : filter.ids)
    if (!broker::valid_entity_id(id))
      return problem(call, broker_errc::bad_request_data,
                     "id holds an invalid entity id");
  filter.visible = [&call](std::string_view t) { return can_read(call, t); };
  size_t limit = default_entities;
  size_t offset = 0;
  if (const auto* text = call.param("limit"))
    if (!twin::parse_number(*text, limit) || limit == 0
        || limit > max_entities)
      return problem(call, broker_errc::bad_request_data,
                     "limit must be 1.." + std::to_string(max_entities));
  if (const auto* text = call.param("offset"))
    if (!twin::parse_number(*text, offset))
      return problem(call, broker_errc::bad_request_data, "bad offset");
  auto history = call.brk.archive(call.tenant);
  if (!history)
    return problem(call, broker_errc::not_found,
                   "this tenant keeps no history (the server runs without "
                   "--archive)");
  auto page = call.space->store().query_page(filter, offset, limit, true);
  const auto& query = std::get<archive::temporal_query>(q);
  auto attrs = split_list(call.param("attrs"));
  auto simplified = simplified_of(call);
  json body = json::array();
  for (const auto& x : page.items) {
    auto doc = history_of(call, *history, x, query, attrs, simplified);
    if (auto* res = std::get_if<http_response>(&doc))
      return std::move(*res);
    body.push_back(std::move(std::get<json>(doc)));
  }
  auto res = reply(call, 200, std::move(body));
  res.set("NGSILD-Results-Count", std::to_string(page.total));
  return res;
}

} // namespace

std::optional<http_response> temporal_routes(api_call& call,
                                             std::string_view path) {
  constexpr std::string_view root = "/temporal/entities";
  if (path.substr(0, root.size()) != root)
    return std::nullopt;
  auto rest = path.substr(root.size());
  if (rest.empty() || rest == "/") {
    if (call.req.method != "GET")
      return problem(call, broker_errc::not_supported,
                     "the temporal API is read-only here: readings enter "
                     "through the live API, MQTT or the feed");
    return query_history(call);
  }
  if (rest[0] != '/')
    return std::nullopt;
  auto id = percent_decode(rest.substr(1));
  if (!id || id->find('/') != std::string::npos || !broker::valid_entity_id(*id))
    return problem(call, broker_errc::bad_request_data,
                   "not an entity id: " + std::string{rest.substr(1, 80)});
  if (call.req.method != "GET")
    return problem(call, broker_errc::not_supported,
                   "the temporal API is read-only here");
  return retrieve_history(call, *id);
}

} // namespace citytwin::ngsi
