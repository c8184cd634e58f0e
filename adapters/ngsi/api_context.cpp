// adapters/ngsi/api_context.cpp
#include "adapters/ngsi/api_context.hpp"

#include "actors/type_ids.hpp"
#include "twin/json_reader.hpp"

#include <caf/send.hpp>

namespace citytwin::ngsi {

namespace {

constexpr std::string_view problem_base
    = "https://uri.etsi.org/ngsi-ld/errors/";

std::string link_header() {
  return "<" + std::string{core_context}
         + ">; rel=\"http://www.w3.org/ns/json-ld#context\"; "
           "type=\"application/ld+json\"";
}

// The media type without parameters, lower case.
std::string media_type(const std::string* value) {
  if (!value)
    return {};
  std::string result = value->substr(0, value->find(';'));
  while (!result.empty() && result.back() == ' ')
    result.pop_back();
  for (auto& c : result)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

bool is_json_ld_link(const std::string& link) {
  return link.find("http://www.w3.org/ns/json-ld#context") != std::string::npos;
}

} // namespace

// Details may quote what the caller sent; a byte that is not UTF-8 there
// must not turn a 400 into a 500 (nlohmann's dump throws on it).
std::string dump(const json& body) {
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

const std::string* api_call::param(std::string_view name) const {
  for (const auto& [key, value] : params)
    if (key == name)
      return &value;
  return nullptr;
}

http_response problem(api_call& call, broker::broker_errc code,
                      std::string detail) {
  http_response res;
  res.status = broker::http_status(code);
  res.set("Content-Type", "application/json");
  if (!call.tenant_header.empty())
    res.set("NGSILD-Tenant", call.tenant_header);
  if (code == broker::broker_errc::unauthorized)
    res.set("WWW-Authenticate", "Bearer realm=\"citytwin\"");
  json body = {{"type", std::string{problem_base} + broker::problem_name(code)},
               {"title", broker::problem_name(code)},
               {"status", res.status},
               {"detail", std::move(detail)}};
  res.body = dump(body);
  return res;
}

http_response problem(api_call& call, const caf::error& err) {
  if (err.category() == caf::atom("broker"))
    return problem(call, static_cast<broker::broker_errc>(err.code()),
                   broker::detail_of(err));
  return problem(call, broker::broker_errc::bad_request_data,
                 broker::detail_of(err));
}

http_response empty(api_call& call, int status) {
  http_response res;
  res.status = status;
  if (!call.tenant_header.empty())
    res.set("NGSILD-Tenant", call.tenant_header);
  return res;
}

http_response reply(api_call& call, int status, json body) {
  http_response res;
  res.status = status;
  if (call.ld_json_out) {
    res.set("Content-Type", "application/ld+json");
    auto add_context = [](json& x) {
      if (x.is_object())
        x["@context"] = core_context;
    };
    if (body.is_array())
      for (auto& x : body)
        add_context(x);
    else
      add_context(body);
  } else if (call.geo_json_out) {
    res.set("Content-Type", "application/geo+json");
  } else {
    res.set("Content-Type", "application/json");
    res.set("Link", link_header());
  }
  if (!call.tenant_header.empty())
    res.set("NGSILD-Tenant", call.tenant_header);
  res.body = dump(body);
  return res;
}

http_response reply_text(api_call& call, int status, std::string body) {
  http_response res;
  res.status = status;
  res.set("Content-Type", "application/json");
  res.set("Link", link_header());
  if (!call.tenant_header.empty())
    res.set("NGSILD-Tenant", call.tenant_header);
  res.body = std::move(body);
  return res;
}

std::variant<json, http_response> read_body(api_call& call) {
  using broker::broker_errc;
  const auto& req = call.req;
  if (req.chunked && !req.has_length) {
    http_response res;
    res.status = 411;
    return res;
  }
  auto type = media_type(req.header("content-type"));
  // NGSI-LD 1.6 names merge-patch+json for merges, and clients (ngsijs)
  // send it for appends too: it is plain JSON without a context.
  if (type == "application/merge-patch+json")
    type = "application/json";
  if (type != "application/json" && type != "application/ld+json")
    return problem(call, broker_errc::unsupported_media,
                   "Content-Type must be application/json, "
                   "application/ld+json or application/merge-patch+json");
  if (req.body.empty())
    return problem(call, broker_errc::invalid_request, "the body is empty");
  // Bounded while parsing: a body nested 100,000 levels deep is refused
  // here, before anything copies or walks it recursively.
  auto read = twin::read_json(req.body);
  if (!read) {
    call.brk.refuse(std::string{twin::to_string(read.refusal)});
    return problem(call, broker_errc::invalid_request,
                   "the body is not valid JSON: " + read.detail);
  }
  auto body = std::move(read.value);
  auto has_context
      = [](const json& x) { return x.is_object() && x.contains("@context"); };
  bool any_context = has_context(body);
  bool all_context = any_context;
  if (body.is_array()) {
    any_context = std::any_of(body.begin(), body.end(), has_context);
    all_context
        = !body.empty() && std::all_of(body.begin(), body.end(), has_context);
  }
  const auto* link = req.header("link");
  bool json_ld_link = link && is_json_ld_link(*link);
  if (type == "application/json" && any_context)
    return problem(call, broker_errc::bad_request_data,
                   "application/json bodies must not carry @context; send "
                   "it in a Link header or use application/ld+json");
  if (type == "application/ld+json" && !all_context)
    return problem(call, broker_errc::bad_request_data,
                   "application/ld+json bodies must carry @context");
  if (type == "application/ld+json" && json_ld_link)
    return problem(call, broker_errc::bad_request_data,
                   "a JSON-LD Link header is not allowed with "
                   "application/ld+json");
  return body;
}

bool negotiate(api_call& call) {
  const auto* accept = call.req.header("accept");
  if (!accept || accept->empty())
    return true;
  bool ok = false;
  // The first acceptable type in the list wins; q-values are ignored.
  std::string_view rest = *accept;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{}
                                           : rest.substr(comma + 1);
    auto first = item.find_first_not_of(' ');
    std::string token{first == std::string_view::npos ? std::string_view{}
                                                      : item.substr(first)};
    auto type = media_type(&token);
    if (type == "application/ld+json") {
      if (!ok)
        call.ld_json_out = true;
      ok = true;
    } else if (type == "application/geo+json") {
      if (!ok)
        call.geo_json_out = true;
      ok = true;
    } else if (type == "application/json" || type == "*/*"
               || type == "application/*") {
      ok = true;
    }
  }
  return ok;
}

std::vector<std::string> split_list(const std::string* value) {
  std::vector<std::string> result;
  if (!value)
    return result;
  std::string_view rest = *value;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto item = rest.substr(0, comma);
    if (!item.empty())
      result.emplace_back(item);
    rest = comma == std::string_view::npos ? std::string_view{}
                                           : rest.substr(comma + 1);
  }
  return result;
}

bool can_read(const api_call& call, std::string_view type) {
  return twin::may_read(call.brk.access(), call.who, call.tenant, type);
}

bool can_write(const api_call& call, std::string_view type) {
  return twin::may_write(call.brk.access(), call.who, call.tenant, type);
}

namespace {

http_response wrong_member_type(api_call& call, const std::exception& e) {
  // A member of the body with a type a route did not check (value() and
  // get<T>() throw): the client's mistake, never a 500.
  call.brk.refuse("json_wrong_type");
  return problem(call, broker::broker_errc::bad_request_data,
                 std::string{"a member has the wrong type: "} + e.what());
}

} // namespace

void on_tenant(api_call call, std::shared_ptr<const http_request> held,
               std::function<http_response(api_call&)> route, reply_fn reply) {
  auto target = call.brk.tenant(call.tenant);
  if (!target) {
    auto res = problem(call, broker::broker_errc::service_unavailable,
                       "tenant '" + call.tenant + "' is not running");
    reply(std::move(res));
    return;
  }
  caf::anon_send(
      target,
      actors::tenant_task{[call = std::move(call), held = std::move(held),
                           route = std::move(route), reply = std::move(reply)](
                              broker::tenant_space& space) mutable {
        call.space = &space;
        http_response res;
        try {
          res = route(call);
        } catch (const nlohmann::json::exception& e) {
          res = wrong_member_type(call, e);
        }
        call.space = nullptr;
        reply(std::move(res));
      }});
}

namespace {

http_response refuse(api_call& call, std::string_view what, const char* kind) {
  using broker::broker_errc;
  if (call.who.k == twin::principal::kind::anonymous) {
    call.brk.refuse(std::string{"anonymous_"} + kind);
    return problem(call, broker_errc::unauthorized,
                   std::string{what} + " needs credentials");
  }
  bool own = call.who.tenant == call.tenant;
  call.brk.refuse(std::string{own ? "role_" : "cross_tenant_"} + kind);
  return problem(call, broker_errc::forbidden,
                 std::string{what} + " is not allowed for '" + call.who.name
                     + "'");
}

} // namespace

bool owns_subscription(const api_call& call, const broker::subscription& sub) {
  if (call.who.k == twin::principal::kind::anonymous)
    return false;
  if (call.who.name == sub.owner)
    return true;
  return call.who.tenant == call.tenant && call.who.r == twin::role::admin;
}

http_response refuse_read(api_call& call, std::string_view what) {
  return refuse(call, what, "read");
}

http_response refuse_write(api_call& call, std::string_view what) {
  return refuse(call, what, "write");
}

} // namespace citytwin::ngsi
