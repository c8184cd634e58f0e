// adapters/broker/tenant_space.cpp
#include "adapters/broker/tenant_space.hpp"

#include "twin/broker/broker_error.hpp"
#include "twin/wall_clock.hpp"

#include <algorithm>
#include <chrono>

namespace citytwin::broker {

tenant_space::tenant_space(std::string name, notifier& notify)
    : name_(std::move(name)), notify_(notify) {
}

tenant_space::~tenant_space() {
  for (auto& [id, e] : subs_)
    notify_.remove(e.target);
}

void tenant_space::publish(const entity_change& change) {
  auto now_ms = twin::now_ms();
  queued_update update;
  update.entity_id = change.id;
  update.entity = change.entity;
  update.previous = change.previous;
  update.deleted = change.what == entity_change::kind::deleted;
  update.queued_at = std::chrono::steady_clock::now();
  update.weight = std::max<uint64_t>(1, change.weight);
  for (const auto& [id, e] : subs_) {
    auto sub = notifier::snapshot_of(*e.target);
    if (!sub->matches(change, now_ms))
      continue;
    if (e.visible
        && std::none_of(change.types.begin(), change.types.end(),
                        // Not [&]: clang 14 cannot capture a structured
                        // binding (C++20 P1091, clang 16).
                        [&visible = e.visible](const auto& t) {
                          return visible(t);
                        }))
      continue;
    notify_.offer(e.target, update);
  }
}

caf::expected<delivery_ptr>
tenant_space::subscribe(subscription sub,
                        std::function<bool(std::string_view)> visible,
                        size_t max_total, size_t max_per_owner) {
  if (subs_.count(sub.id) != 0)
    return make_problem(broker_errc::already_exists,
                        "subscription '" + sub.id + "' exists");
  if (subs_.size() >= max_total)
    return make_problem(broker_errc::too_many_requests,
                        "this tenant holds the most subscriptions allowed ("
                            + std::to_string(max_total) + ")");
  size_t owned = 0;
  for (const auto& [id, e] : subs_)
    owned += notifier::snapshot_of(*e.target)->owner == sub.owner;
  if (owned >= max_per_owner)
    return make_problem(broker_errc::too_many_requests,
                        "'" + sub.owner + "' holds the most subscriptions "
                        "allowed per principal ("
                            + std::to_string(max_per_owner) + ")");
  auto id = sub.id;
  auto d = notify_.add(std::move(sub));
  subs_.emplace(std::move(id), entry{d, std::move(visible)});
  return d;
}

caf::expected<delivery_ptr>
tenant_space::find_subscription(std::string_view id) const {
  auto i = subs_.find(id);
  if (i == subs_.end())
    return make_problem(broker_errc::not_found,
                        "no subscription '" + std::string{id} + "'");
  return i->second.target;
}

std::vector<delivery_ptr> tenant_space::subscriptions() const {
  std::vector<delivery_ptr> result;
  for (const auto& [id, e] : subs_)
    result.push_back(e.target);
  return result;
}

caf::error tenant_space::unsubscribe(std::string_view id) {
  auto i = subs_.find(id);
  if (i == subs_.end())
    return make_problem(broker_errc::not_found,
                        "no subscription '" + std::string{id} + "'");
  notify_.remove(i->second.target);
  subs_.erase(i);
  return {};
}

caf::error tenant_space::update_subscription(const delivery_ptr& d,
                                             subscription sub) {
  notify_.replace(d, std::move(sub));
  return {};
}

} // namespace citytwin::broker
