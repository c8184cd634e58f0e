// adapters/broker/broker.cpp
#include "adapters/broker/broker.hpp"

#include "actors/type_ids.hpp"
#include "adapters/broker/secret_hash.hpp"
#include "adapters/broker/tenant_actor.hpp"
#include "twin/bearer.hpp"
#include "twin/broker/broker_error.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::broker {

bool usage_meter::charge(const std::string& key, int64_t day, uint64_t quota) {
  std::lock_guard guard{mtx_};
  auto& u = counts_[{key, day}];
  if (u.used >= quota) {
    ++u.refused;
    return false;
  }
  ++u.used;
  return true;
}

std::map<std::string, usage_meter::usage>
usage_meter::snapshot(int64_t day) const {
  std::map<std::string, usage> result;
  std::lock_guard guard{mtx_};
  for (const auto& [key, u] : counts_)
    if (key.second == day)
      result[key.first] = u;
  return result;
}

bool rate_limiter::allow(const std::string& client, double now_s,
                         int& retry_after_s) {
  std::lock_guard guard{mtx_};
  if (buckets_.size() >= max_buckets)
    std::erase_if(buckets_, [&](const auto& kv) {
      return now_s - kv.second.last_s >= 60.0;
    });
  auto [i, added] = buckets_.try_emplace(client);
  auto& b = i->second;
  double rate = per_minute_ / 60.0;
  if (added)
    b = {static_cast<double>(per_minute_), now_s};
  // A clock that jumps back must not take tokens away (negative elapsed
  // time would lock the client out for as long as the jump); one that
  // jumps forward refills at most the burst.
  auto elapsed = std::max(0.0, now_s - b.last_s);
  b.tokens = std::min<double>(per_minute_, b.tokens + elapsed * rate);
  b.last_s = std::max(b.last_s, now_s);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  retry_after_s
      = rate > 0 ? static_cast<int>(std::ceil((1 - b.tokens) / rate)) : 60;
  return false;
}

broker::broker(twin::access_config access, notifier_config notify)
    : access_(std::move(access)), notify_(notify),
      open_data_(access_.open_data_rate_per_minute),
      anonymous_(access_.limits.anonymous_requests_per_minute) {
  for (const auto& t : access_.tenants) {
    seeding_.emplace(t.name, std::make_unique<tenant_space>(t.name, notify_));
    counters_.emplace(t.name, std::make_shared<tenant_counters>());
  }
  notify_.set_kept_alive_limit(access_.limits.kept_alive_connections);
  set_own_ports({});
}

void broker::set_own_ports(std::vector<uint16_t> ports) {
  std::lock_guard guard{policy_mtx_};
  for (const auto& t : access_.tenants) {
    std::vector<allowed_network> allow;
    // The loader has checked every entry; one that fails here is skipped.
    for (const auto& text : t.notify_allow)
      if (auto net = parse_allowed_network(text))
        allow.push_back(*net);
    auto policy = std::make_shared<const outbound_policy>(std::move(allow),
                                                          ports);
    policies_[t.name] = policy;
    notify_.set_policy(t.name, policy);
  }
}

std::shared_ptr<const outbound_policy>
broker::outbound(std::string_view tenant) const {
  static const auto nothing_private = std::make_shared<const outbound_policy>();
  std::lock_guard guard{policy_mtx_};
  auto i = policies_.find(tenant);
  return i == policies_.end() ? nothing_private : i->second;
}

size_t broker::num_outbound_subscriptions() const {
  return notify_.num_outbound();
}

broker::~broker() {
  // Subscriptions go before the threads that deliver them.
  stop_tenants();
  seeding_.clear();
  notify_.stop();
}

tenant_space* broker::seeding(std::string_view name) {
  auto i = seeding_.find(name);
  return i == seeding_.end() ? nullptr : i->second.get();
}

void broker::start_tenants(caf::actor_system& sys) {
  sys_ = &sys;
  for (auto& [name, space] : seeding_)
    tenants_.emplace(name,
                     spawn_tenant(sys, std::move(space), counters_.at(name),
                                  archive(name)));
  seeding_.clear();
}

actors::tenant_actor broker::tenant(std::string_view name) const {
  auto i = tenants_.find(name);
  return i == tenants_.end() ? actors::tenant_actor{} : i->second;
}

const tenant_counters* broker::counters(std::string_view name) const {
  auto i = counters_.find(name);
  return i == counters_.end() ? nullptr : i->second.get();
}

void broker::stop_tenants(const std::vector<actors::twin_actor>& twins) {
  if (!sys_)
    return;
  for (auto& [name, tenant] : tenants_) {
    for (const auto& twin : twins)
      caf::anon_send(twin, caf::unsubscribe_atom_v,
                     caf::actor_cast<actors::subscriber_actor>(tenant));
    stop_tenant(*sys_, tenant);
  }
  tenants_.clear();
  sys_ = nullptr;
}

caf::expected<twin::principal> broker::authenticate(const std::string* bearer,
                                                    const std::string* api_key,
                                                    twin::time_ms now) const {
  auto refused = [](twin::auth_failure why) {
    return make_problem(broker_errc::unauthorized,
                        std::string{"credentials refused: "}
                            + std::string{twin::to_string(why)});
  };
  if (bearer) {
    auto token = twin::bearer_token(*bearer);
    if (!token)
      return make_problem(broker_errc::unauthorized,
                          "Authorization must be 'Bearer <token>'");
    auto result = twin::authenticate_token(access_, sha256(*token), now);
    if (auto* why = std::get_if<twin::auth_failure>(&result))
      return refused(*why);
    return std::get<twin::principal>(result);
  }
  if (api_key) {
    auto result = twin::authenticate_api_key(access_, sha256(*api_key));
    if (auto* why = std::get_if<twin::auth_failure>(&result))
      return refused(*why);
    return std::get<twin::principal>(result);
  }
  return twin::anonymous_principal();
}

void broker::refuse(const std::string& reason) {
  std::lock_guard guard{counters_mtx_};
  ++refusals_[reason];
}

std::map<std::string, uint64_t> broker::refusals() const {
  std::lock_guard guard{counters_mtx_};
  return refusals_;
}

void broker::count_status(int status) {
  auto cls = static_cast<size_t>(std::clamp(status / 100, 0, 5));
  ++statuses_[cls];
}

std::map<int, uint64_t> broker::statuses() const {
  std::map<int, uint64_t> result;
  for (size_t i = 1; i < statuses_.size(); ++i)
    if (auto n = statuses_[i].load(); n > 0)
      result[static_cast<int>(i) * 100] = n;
  return result;
}

void broker::set_archive(std::string tenant,
                         std::shared_ptr<archive::tenant_archive> history) {
  std::lock_guard guard{counters_mtx_};
  archives_[std::move(tenant)] = std::move(history);
}

std::shared_ptr<archive::tenant_archive>
broker::archive(std::string_view tenant) const {
  std::lock_guard guard{counters_mtx_};
  auto i = archives_.find(tenant);
  return i == archives_.end() ? nullptr : i->second;
}

void broker::set_space_log(std::string tenant,
                           std::shared_ptr<const space_log> log) {
  std::lock_guard guard{counters_mtx_};
  space_logs_[std::move(tenant)] = std::move(log);
}

std::map<std::string, uint64_t> broker::space_log_refusals() const {
  std::map<std::string, uint64_t> result;
  std::lock_guard guard{counters_mtx_};
  for (const auto& [tenant, log] : space_logs_)
    result[tenant] = log->refused();
  return result;
}

bool may_subscribe(const twin::access_config& access,
                   const twin::principal& who, std::string_view tenant,
                   const subscription& sub) {
  auto types = sub.types();
  if (types.empty())
    return who.k == twin::principal::kind::token && who.tenant == tenant
           && twin::permits(who.r, twin::action::subscribe);
  return std::all_of(types.begin(), types.end(), [&](const auto& t) {
    return twin::may_subscribe(access, who, tenant, t);
  });
}

} // namespace citytwin::broker
