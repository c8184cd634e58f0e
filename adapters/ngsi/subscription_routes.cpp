// adapters/ngsi/subscription_routes.cpp: /subscriptions (NGSI-LD 5.8).
#include "twin/broker/ngsi_entity.hpp"
#include "twin/broker/subscription.hpp"
#include "adapters/ngsi/api_context.hpp"
#include "twin/text.hpp"
#include "twin/wall_clock.hpp"

#include <atomic>
#include <chrono>

namespace citytwin::ngsi {

namespace {

using broker::broker_errc;

std::string new_subscription_id() {
  static std::atomic<uint64_t> seq{0};
  auto now = std::chrono::system_clock::now().time_since_epoch().count();
  return "urn:ngsi-ld:Subscription:" + std::to_string(now) + "-"
         + std::to_string(++seq);
}

// Every type the subscription names must be readable; one without types
// needs a token of the tenant itself.
bool may_subscribe(api_call& call, const broker::subscription& sub) {
  return broker::may_subscribe(call.brk.access(), call.who, call.space->name(),
                               sub);
}

http_response refuse_subscription(api_call& call) {
  if (call.who.k == twin::principal::kind::anonymous)
    return refuse_read(call, "subscribing");
  call.brk.refuse(call.who.tenant == call.space->name()
                      ? "role_subscribe"
                      : "cross_tenant_subscribe");
  return problem(call, broker_errc::forbidden,
                 "subscribing to these entities is not allowed for '"
                     + call.who.name + "'");
}

// Webhook and MQTT endpoints must pass the tenant's outbound policy: a
// literal address is checked now, a name again each time it resolves.
std::optional<http_response> check_endpoint(api_call& call,
                                            const broker::subscription& sub) {
  if (sub.via == broker::transport::websocket)
    return std::nullopt;
  auto checked = call.brk.outbound(call.space->name())->check_endpoint(
      sub.endpoint);
  if (checked)
    return std::nullopt;
  call.brk.refuse("endpoint_not_allowed");
  return problem(call, checked.error());
}

http_response create(api_call& call) {
  // Anonymous callers never subscribe: refuse before reading the body.
  if (call.who.k == twin::principal::kind::anonymous)
    return refuse_read(call, "subscribing");
  auto body = read_body(call);
  if (auto* res = std::get_if<http_response>(&body))
    return std::move(*res);
  auto sub
      = broker::parse_subscription(std::get<json>(body), new_subscription_id());
  if (!sub)
    return problem(call, sub.error());
  if (!may_subscribe(call, *sub))
    return refuse_subscription(call);
  if (auto refused = check_endpoint(call, *sub))
    return std::move(*refused);
  const auto& limits = call.brk.access().limits;
  if (sub->via != broker::transport::websocket
      && call.brk.num_outbound_subscriptions() >= limits.outbound_subscriptions) {
    call.brk.refuse("outbound_subscription_limit");
    auto res = problem(call, broker_errc::service_unavailable,
                       "the server holds the most webhook and MQTT "
                       "subscriptions it can serve");
    res.set("Retry-After", "60");
    return res;
  }
  sub->tenant = call.space->name();
  sub->owner = call.who.name;
  auto id = sub->id;
  const auto& access = call.brk.access();
  auto visible = [&access, who = call.who,
                  tenant = call.space->name()](std::string_view type) {
    return twin::may_read(access, who, tenant, type);
  };
  auto added = call.space->subscribe(std::move(*sub), visible,
                                     limits.subscriptions_per_tenant,
                                     limits.subscriptions_per_principal);
  if (!added) {
    if (added.error().code()
        == static_cast<uint8_t>(broker_errc::too_many_requests))
      call.brk.refuse("subscription_limit");
    return problem(call, added.error());
  }
  auto res = empty(call, 201);
  res.set("Location", "/ngsi-ld/v1/subscriptions/" + id);
  return res;
}

} // namespace

json render_subscription(const broker::delivery& d) {
  auto sub = broker::notifier::snapshot_of(d);
  auto status = broker::notifier::status_of(d);
  json doc = sub->document;
  auto now_ms = twin::now_ms();
  doc["status"] = !sub->active                                      ? "paused"
                  : (sub->expires_ms && *sub->expires_ms <= now_ms) ? "expired"
                                                                    : "active";
  auto& n = doc["notification"];
  n["status"] = status.failing ? "failed" : "ok";
  n["timesSent"] = status.times_sent;
  n["timesFailed"] = status.times_failed;
  if (!status.last_notification.empty())
    n["lastNotification"] = status.last_notification;
  if (!status.last_success.empty())
    n["lastSuccess"] = status.last_success;
  if (!status.last_failure.empty())
    n["lastFailure"] = status.last_failure;
  doc["queueStatus"] = {{"policy", sub->policy == broker::queue_policy::coalesce
                                       ? "coalesce"
                                       : "dropOldest"},
                        {"capacity", sub->capacity},
                        {"offered", status.queue.offered},
                        {"delivered", status.queue.delivered},
                        {"coalesced", status.queue.coalesced},
                        {"dropped", status.queue.dropped},
                        {"pending", status.queue.pending},
                        {"inFlight", status.queue.in_flight}};
  return doc;
}

std::optional<http_response> subscription_routes(api_call& call,
                                                 std::string_view path) {
  constexpr std::string_view prefix = "/subscriptions";
  if (path.substr(0, prefix.size()) != prefix)
    return std::nullopt;
  auto rest = path.substr(prefix.size());
  const auto& method = call.req.method;
  if (rest.empty() || rest == "/") {
    if (method == "POST")
      return create(call);
    if (method != "GET")
      return problem(call, broker_errc::method_not_allowed,
                     "use GET or POST on /subscriptions");
    if (call.who.k == twin::principal::kind::anonymous)
      return refuse_read(call, "listing subscriptions");
    size_t limit = 100;
    size_t offset = 0;
    if (const auto* text = call.param("limit"))
      if (!twin::parse_number(*text, limit) || limit > 1000)
        return problem(call, broker_errc::bad_request_data, "bad limit");
    if (const auto* text = call.param("offset"))
      if (!twin::parse_number(*text, offset))
        return problem(call, broker_errc::bad_request_data, "bad offset");
    json list = json::array();
    size_t seen = 0;
    for (const auto& d : call.space->subscriptions()) {
      if (!owns_subscription(call, *broker::notifier::snapshot_of(*d)))
        continue;
      if (seen++ >= offset && list.size() < limit)
        list.push_back(render_subscription(*d));
    }
    return reply(call, 200, std::move(list));
  }
  auto id = percent_decode(rest.substr(1));
  if (!id || !broker::valid_entity_id(*id))
    return problem(call, broker_errc::bad_request_data,
                   "the subscription id is not a valid URI");
  auto found = call.space->find_subscription(*id);
  if (!found
      || !owns_subscription(call, *broker::notifier::snapshot_of(**found))) {
    if (found)
      call.brk.refuse("foreign_subscription");
    return problem(call, broker_errc::not_found,
                   "no subscription '" + *id + "'");
  }
  if (method == "GET")
    return reply(call, 200, render_subscription(**found));
  if (method == "DELETE") {
    if (auto err = call.space->unsubscribe(*id))
      return problem(call, err);
    return empty(call, 204);
  }
  if (method == "PATCH") {
    auto body = read_body(call);
    if (auto* res = std::get_if<http_response>(&body))
      return std::move(*res);
    auto patched = broker::patch_subscription(
        *broker::notifier::snapshot_of(**found), std::get<json>(body));
    if (!patched)
      return problem(call, patched.error());
    if (!may_subscribe(call, *patched))
      return refuse_subscription(call);
    if (auto refused = check_endpoint(call, *patched))
      return std::move(*refused);
    if (auto err = call.space->update_subscription(*found, std::move(*patched)))
      return problem(call, err);
    return empty(call, 204);
  }
  return problem(call, broker_errc::method_not_allowed,
                 "use GET, PATCH or DELETE on a subscription");
}

} // namespace citytwin::ngsi
