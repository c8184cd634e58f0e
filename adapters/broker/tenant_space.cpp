// adapters/broker/tenant_space.cpp
#include "adapters/broker/tenant_space.hpp"

#include "adapters/broker/twin_document.hpp"
#include "twin/broker/broker_error.hpp"
#include "twin/error.hpp"
#include "twin/wall_clock.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>

namespace citytwin::broker {

tenant_space::tenant_space(std::string name, notifier& notify)
    : name_(std::move(name)), notify_(notify) {
}

tenant_space::~tenant_space() {
  // The space ends when the server stops: the counters are kept with it.
  if (log_)
    if (auto err = checkpoint())
      std::cerr << "citytwin: " << twin::describe(err) << '\n';
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

namespace {

json status_record(const delivery_status& s) {
  json result = {{"timesSent", s.times_sent}, {"timesFailed", s.times_failed}};
  if (!s.last_notification.empty())
    result["lastNotification"] = s.last_notification;
  if (!s.last_success.empty())
    result["lastSuccess"] = s.last_success;
  if (!s.last_failure.empty())
    result["lastFailure"] = s.last_failure;
  return result;
}

logged_subscription log_entry(const delivery& d) {
  auto sub = notifier::snapshot_of(d);
  return {sub->id, sub->owner, sub->document,
          status_record(notifier::status_of(d))};
}

} // namespace

caf::error tenant_space::commit(const entity_change& change) {
  if (log_ && change.entity && !store_.is_live(change.id)) {
    auto err = change.what == entity_change::kind::deleted
                 ? log_->delete_entity(change.id)
                 : log_->put_entity(*change.entity);
    if (err) {
      undo(change);
      return make_problem(broker_errc::service_unavailable,
                          "the change could not be kept ("
                            + twin::describe(err) + "); nothing changed");
    }
  }
  compact_if_grown();
  publish(change);
  return {};
}

void tenant_space::compact_if_grown() {
  // A rewrite costs a pass over the space; it happens once the log has
  // grown fourfold since the last, so appends stay cheap on average.
  if (log_ && log_->grown())
    if (auto err = checkpoint())
      std::cerr << "citytwin: tenant '" << name_
                << "': space log not compacted: " << twin::describe(err)
                << '\n';
}

void tenant_space::undo(const entity_change& change) {
  switch (change.what) {
    case entity_change::kind::created:
      store_.remove(change.id);
      break;
    case entity_change::kind::updated:
      if (change.previous)
        store_.replace(change.id, *change.previous);
      break;
    case entity_change::kind::deleted:
      store_.create(*change.entity);
      break;
  }
}

caf::error tenant_space::checkpoint() {
  if (!log_)
    return {};
  std::vector<logged_subscription> subs;
  for (const auto& [id, e] : subs_)
    subs.push_back(log_entry(*e.target));
  // Alerts and aggregates are the rules' to write again, not the API's.
  auto entities = store_.stored_documents();
  entities.erase(std::remove_if(entities.begin(), entities.end(),
                                [](const json& e) {
                                  return twin_owned_id(
                                    e.value("id", std::string{}));
                                }),
                 entities.end());
  return log_->rewrite(entities, subs);
}

caf::error tenant_space::log_subscription(const delivery_ptr& d) {
  if (!log_)
    return {};
  if (auto err = log_->put_subscription(log_entry(*d)))
    return make_problem(broker_errc::service_unavailable,
                        "the subscription could not be kept ("
                          + twin::describe(err) + ")");
  return {};
}

caf::expected<delivery_ptr>
tenant_space::restore_subscription(subscription sub,
                                   std::function<bool(std::string_view)> visible,
                                   const json& status) {
  if (subs_.count(sub.id) != 0)
    return make_problem(broker_errc::already_exists,
                        "subscription '" + sub.id + "' exists");
  delivery_status counters;
  auto number = [&](const char* key) -> uint64_t {
    auto i = status.find(key);
    return i != status.end() && i->is_number_unsigned() ? i->get<uint64_t>()
                                                        : 0;
  };
  auto text = [&](const char* key) {
    auto i = status.find(key);
    return i != status.end() && i->is_string() ? i->get<std::string>()
                                               : std::string{};
  };
  counters.times_sent = number("timesSent");
  counters.times_failed = number("timesFailed");
  counters.last_notification = text("lastNotification");
  counters.last_success = text("lastSuccess");
  counters.last_failure = text("lastFailure");
  auto id = sub.id;
  auto d = notify_.add(std::move(sub));
  notifier::restore_status(*d, counters);
  subs_.emplace(std::move(id), entry{d, std::move(visible)});
  return d;
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
  if (auto err = log_subscription(d)) {
    notify_.remove(d);
    return err;
  }
  subs_.emplace(std::move(id), entry{d, std::move(visible)});
  compact_if_grown();
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
  if (log_)
    if (auto err = log_->delete_subscription(id))
      return make_problem(broker_errc::service_unavailable,
                          "the deletion could not be kept ("
                            + twin::describe(err) + "); nothing changed");
  notify_.remove(i->second.target);
  subs_.erase(i);
  compact_if_grown();
  return {};
}

caf::error tenant_space::update_subscription(const delivery_ptr& d,
                                             subscription sub) {
  auto before = *notifier::snapshot_of(*d);
  notify_.replace(d, std::move(sub));
  if (auto err = log_subscription(d)) {
    notify_.replace(d, std::move(before));
    return err;
  }
  compact_if_grown();
  return {};
}

} // namespace citytwin::broker
