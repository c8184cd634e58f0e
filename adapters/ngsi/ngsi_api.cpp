// adapters/ngsi/ngsi_api.cpp
#include "adapters/ngsi/ngsi_api.hpp"

#include "twin/broker/ngsi_entity.hpp"
#include "adapters/ingest/utf8.hpp"
#include "adapters/broker/twin_document.hpp"
#include "adapters/ngsi/api_context.hpp"
#include "twin/wall_clock.hpp"

#include <chrono>
#include <future>
#include <sstream>

namespace citytwin::ngsi {

namespace {

using broker::broker_errc;

constexpr std::string_view api_root = "/ngsi-ld/v1";

twin::time_ms now_ms() {
  return twin::now_ms();
}

bool valid_tenant_name(std::string_view name) {
  if (name.empty() || name.size() > 63)
    return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      return false;
  return true;
}

// Ids, names and values end up in JSON answers and in the store, which
// hold UTF-8 only: anything else is the caller's mistake (400), found
// before it can fail deep inside as a 500.
std::optional<http_response> check_utf8(api_call& call, std::string_view path) {
  auto refuse = [&](std::string what) {
    call.brk.refuse("invalid_utf8");
    return problem(call, broker_errc::bad_request_data,
                   what + " is not valid UTF-8");
  };
  auto decoded = percent_decode(path);
  if (!decoded || !ingest::valid_utf8(*decoded))
    return refuse("the path");
  for (const auto& [key, value] : call.params)
    if (!ingest::valid_utf8(key) || !ingest::valid_utf8(value))
      return refuse("the query string");
  for (const auto& [name, value] : call.req.headers)
    if (!ingest::valid_utf8(value))
      return refuse("header '" + name + "'");
  return std::nullopt;
}

// Who asks and for which tenant; a response when that fails.
std::optional<http_response> admit(api_call& call, const std::string* token) {
  const auto& req = call.req;
  std::optional<std::string> bearer;
  if (const auto* auth = req.header("authorization"))
    bearer = *auth;
  else if (token)
    bearer = "Bearer " + *token;
  auto who = call.brk.authenticate(bearer ? &*bearer : nullptr,
                                   req.header("x-api-key"), now_ms());
  if (!who) {
    call.brk.refuse("bad_credentials");
    return problem(call, who.error());
  }
  call.who = std::move(*who);
  const auto* tenant = req.header("ngsild-tenant");
  if (tenant)
    call.tenant_header = *tenant;
  std::string name = tenant ? *tenant : call.who.tenant;
  if (name.empty() && !call.brk.access().tenants.empty())
    name = call.brk.access().tenants.front().name;
  if (!valid_tenant_name(name) || !twin::find_tenant(call.brk.access(), name))
    return problem(call, broker_errc::nonexistent_tenant,
                   "no tenant '" + name + "'");
  call.tenant = name;
  if (call.who.k == twin::principal::kind::anonymous) {
    // Anonymous reads cost the server as much as any other: bounded per
    // client address and tenant (a tenant's open data cannot use up
    // another's allowance).
    int retry_after = 0;
    auto now_s = std::chrono::duration<double>(
                     std::chrono::steady_clock::now().time_since_epoch())
                     .count();
    if (!call.brk.anonymous_limit().allow(name + "|" + req.remote, now_s,
                                          retry_after)) {
      call.brk.refuse("anonymous_rate_limit");
      auto res = problem(call, broker_errc::too_many_requests,
                         "rate limit for anonymous requests reached");
      res.set("Retry-After", std::to_string(std::max(1, retry_after)));
      return res;
    }
  }
  if (call.who.k == twin::principal::kind::api_key) {
    const twin::api_key_config* key = nullptr;
    for (const auto& k : call.brk.access().api_keys)
      if (k.name == call.who.name)
        key = &k;
    auto day = now_ms() / 86'400'000;
    if (!key || !call.brk.usage().charge(key->name, day, key->quota_per_day)) {
      call.brk.refuse("quota_exceeded");
      auto res = problem(call, broker_errc::too_many_requests,
                         "the daily quota of this API key is used up");
      res.set("Retry-After", std::to_string(86400 - (now_ms() / 1000) % 86400));
      return res;
    }
  }
  return std::nullopt;
}

// The WebSocket side of a subscription, bounded by the socket's queue.
class socket_sink : public broker::push_sink {
public:
  explicit socket_sink(std::shared_ptr<ws_sink> ws) : ws_(std::move(ws)) {
  }
  bool try_send(std::string text) override {
    return ws_->try_send(std::move(text), max_unsent);
  }
  bool closed() const override {
    return ws_->closed();
  }

private:
  static constexpr size_t max_unsent = 1 << 20;
  std::shared_ptr<ws_sink> ws_;
};

// True for a path under /entities/ that names an Alert entity (of any
// tenant), escaped or not.
bool writes_alert(std::string_view path) {
  constexpr std::string_view prefix = "/entities/";
  if (path.substr(0, prefix.size()) != prefix)
    return false;
  auto rest = path.substr(prefix.size());
  auto id = percent_decode(rest.substr(0, rest.find('/')));
  return id && broker::twin_owned_id(*id);
}

} // namespace

void ngsi_api::handle(http_request request, reply_fn reply) {
  auto* brk = &brk_;
  reply = [brk, reply = std::move(reply)](http_response res) {
    brk->count_status(res.status);
    reply(std::move(res));
  };
  auto req = std::make_shared<const http_request>(std::move(request));
  std::string_view path = req->path;
  if (path.substr(0, api_root.size()) == api_root) {
    handle_ngsi(req, path.substr(api_root.size()), std::move(reply));
  } else if (path.substr(0, 12) == "/opendata/v1") {
    open_data(brk_, req, path.substr(12), std::move(reply));
  } else if (path == "/health") {
    http_response res;
    res.set("Content-Type", "application/json");
    res.body = R"({"status":"ok"})";
    reply(std::move(res));
  } else {
    api_call call{*req, brk_, {}, nullptr, {}, {}};
    reply(problem(call, broker_errc::not_found, "no such resource"));
  }
}

http_response ngsi_api::handle_blocking(const http_request& req) {
  auto answer = std::make_shared<std::promise<http_response>>();
  auto result = answer->get_future();
  handle(req,
         [answer](http_response res) { answer->set_value(std::move(res)); });
  return result.get();
}

void ngsi_api::handle_ngsi(std::shared_ptr<const http_request> held,
                           std::string_view path, reply_fn done) {
  const auto& req = *held;
  api_call call{req, brk_, {}, nullptr, {}, {}};
  auto answer = [&](http_response res) { done(std::move(res)); };
  try {
    auto params = parse_query(req.query);
    if (!params)
      return answer(problem(call, broker_errc::bad_request_data,
                            "the query string has a bad %-escape"));
    call.params = std::move(*params);
    if (auto bad = check_utf8(call, path))
      return answer(std::move(*bad));
    if (auto refused = admit(call, nullptr))
      return answer(std::move(*refused));
    if ((req.method == "GET" || req.method == "POST" || req.method == "PATCH"
         || req.method == "PUT")
        && !negotiate(call))
      return answer(problem(call, broker_errc::not_acceptable,
                            "only application/json, application/ld+json and "
                            "application/geo+json are served"));
    if (path == "/jsonldContexts" || path == "/jsonldContexts/") {
      if (req.method != "GET")
        return answer(problem(call, broker_errc::not_supported,
                              "contexts are built in and cannot be added"));
      return answer(reply(call, 200, json::array({std::string{core_context}})));
    }
    // Alerts are the twin's own: clients read them, the rules write them.
    if (req.method != "GET" && writes_alert(path)) {
      brk_.refuse("twin_owned_write");
      return answer(problem(
        call, broker_errc::forbidden,
        "Alert and VirtualSensor entities are written by the twin's rules "
        "and aggregates; acknowledge an alert with POST /api/alerts/<id>/ack "
        "on the viewer port"));
    }
    // Commands need the twin, not the tenant's state.
    if (command_route(call, held, path, done))
      return;
  } catch (const nlohmann::json::exception& e) {
    brk_.refuse("json_wrong_type");
    return answer(
        problem(call, broker_errc::bad_request_data,
                std::string{"a member has the wrong type: "} + e.what()));
  }
  // Everything else reads or changes the tenant's state: its routes run
  // inside its TENANT actor.
  on_tenant(
      std::move(call), std::move(held),
      [path = std::string{path}](api_call& call) -> http_response {
        for (auto* routes :
             {entity_routes, batch_routes, subscription_routes, type_routes,
              temporal_routes})
          if (auto res = routes(call, path))
            return std::move(*res);
        return problem(call, broker_errc::not_found,
                       "no resource " + path + " in this API subset");
      },
      std::move(done));
}

ws_upgrade_handler ngsi_api::websocket() {
  ws_upgrade_handler result;
  auto* brk = &brk_;
  result.check = [brk](http_request request,
                       std::function<void(ws_decision)> decide) {
    auto held = std::make_shared<const http_request>(std::move(request));
    const auto& req = *held;
    api_call call{req, *brk, {}, nullptr, {}, {}};
    auto refuse = [&](http_response res) {
      decide(ws_decision{std::move(res), {}});
    };
    constexpr std::string_view prefix = "/ngsi-ld/v1/subscriptions/";
    constexpr std::string_view suffix = "/stream";
    std::string_view path = req.path;
    if (path.substr(0, prefix.size()) != prefix || path.size() <= prefix.size()
        || path.substr(path.size() - suffix.size()) != suffix)
      return refuse(problem(call, broker_errc::not_found, "no stream here"));
    auto id = percent_decode(path.substr(
        prefix.size(), path.size() - prefix.size() - suffix.size()));
    auto params = parse_query(req.query);
    if (!id || !params)
      return refuse(
          problem(call, broker_errc::bad_request_data, "bad request"));
    call.params = std::move(*params);
    if (auto bad = check_utf8(call, path))
      return refuse(std::move(*bad));
    if (auto refused = admit(call, call.param("token")))
      return refuse(std::move(*refused));
    // The subscription lives in the tenant's state: its TENANT looks it up
    // and decides; the answer travels back as an HTTP response or as the
    // hook that attaches the session.
    auto decision = std::make_shared<ws_decision>();
    on_tenant(
        std::move(call), std::move(held),
        [brk, id = std::move(*id), decision](api_call& call) -> http_response {
          auto found = call.space->find_subscription(id);
          if (!found)
            return problem(call, found.error());
          auto sub = broker::notifier::snapshot_of(**found);
          if (!owns_subscription(call, *sub)) {
            brk->refuse("foreign_subscription");
            return problem(call, broker_errc::not_found,
                           "no such subscription");
          }
          if (sub->via != broker::transport::websocket)
            return problem(call, broker_errc::bad_request_data,
                           "this subscription does not deliver over "
                           "WebSocket");
          decision->on_open
              = [brk, target = *found](std::shared_ptr<ws_sink> sink) {
                  brk->notifications().attach(
                      target, std::make_shared<socket_sink>(sink));
                };
          return {};
        },
        [decision, decide = std::move(decide)](http_response res) {
          if (decision->on_open)
            return decide(std::move(*decision));
          decide(ws_decision{std::move(res), {}});
        });
  };
  return result;
}

std::string ngsi_api::render_prometheus() const {
  std::ostringstream out;
  out << "# HELP citytwin_broker_responses_total NGSI-LD API responses by "
         "status class\n# TYPE citytwin_broker_responses_total counter\n";
  for (const auto& [cls, n] : brk_.statuses())
    out << "citytwin_broker_responses_total{status=\"" << cls / 100 << "xx\"} "
        << n << '\n';
  out << "# HELP citytwin_broker_refused_total refused attempts by reason\n"
         "# TYPE citytwin_broker_refused_total counter\n";
  for (const auto& [reason, n] : brk_.refusals())
    out << "citytwin_broker_refused_total{reason=\"" << reason << "\"} " << n
        << '\n';
  out << "# TYPE citytwin_broker_entities gauge\n"
         "# TYPE citytwin_broker_subscriptions gauge\n";
  // What each TENANT last published: /metrics never waits for an actor.
  for (const auto& t : brk_.access().tenants) {
    const auto* sizes = brk_.counters(t.name);
    out << "citytwin_broker_entities{tenant=\"" << t.name << "\"} "
        << sizes->entities.load() << '\n';
    out << "citytwin_broker_subscriptions{tenant=\"" << t.name << "\"} "
        << sizes->subscriptions.load() << '\n';
  }
  out << "# HELP citytwin_broker_state_refused_total API writes refused "
         "because the space log could not keep them (disk full)\n"
         "# TYPE citytwin_broker_state_refused_total counter\n";
  for (const auto& [tenant, n] : brk_.space_log_refusals())
    out << "citytwin_broker_state_refused_total{tenant=\"" << tenant << "\"} "
        << n << '\n';
  auto sum = brk_.notifications().sum();
  out << "# TYPE citytwin_broker_notifications_total counter\n"
      << "citytwin_broker_notifications_total " << sum.notifications << '\n'
      << "# TYPE citytwin_broker_notification_failures_total counter\n"
      << "citytwin_broker_notification_failures_total " << sum.failures << '\n'
      << "# TYPE citytwin_broker_updates_total counter\n"
      << "citytwin_broker_updates_total{outcome=\"delivered\"} "
      << sum.delivered << '\n'
      << "citytwin_broker_updates_total{outcome=\"coalesced\"} "
      << sum.coalesced << '\n'
      << "citytwin_broker_updates_total{outcome=\"dropped\"} " << sum.dropped
      << '\n';
  out << "# TYPE citytwin_broker_api_key_requests_total counter\n";
  auto day = now_ms() / 86'400'000;
  for (const auto& [key, u] : brk_.usage().snapshot(day)) {
    out << "citytwin_broker_api_key_requests_total{key=\"" << key
        << "\",outcome=\"served\"} " << u.used << '\n';
    out << "citytwin_broker_api_key_requests_total{key=\"" << key
        << "\",outcome=\"over_quota\"} " << u.refused << '\n';
  }
  return out.str();
}

} // namespace citytwin::ngsi
