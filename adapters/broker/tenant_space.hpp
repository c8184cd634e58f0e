// adapters/broker/tenant_space.hpp
#pragma once

// Everything one tenant owns in the broker: its entities and its
// subscriptions. Tenants share nothing; the broker only hands a request
// the space its credentials allow. Plain state: its TENANT actor is its
// one owner (before that, whoever seeds it).

#include "twin/broker/entity_store.hpp"
#include "adapters/broker/notifier.hpp"
#include "adapters/archive/space_log.hpp"
#include "twin/broker/subscription.hpp"

#include <caf/expected.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace citytwin::broker {

using archive::logged_subscription;
using archive::space_log;

/// Writes the twin-owned attributes of a live twin entity (they become
/// twin readings) and returns the attributes it does not own, which the
/// broker keeps beside the live ones. Set by whoever runs the twin.
using live_writer = std::function<caf::expected<json>(const std::string& id,
                                                      const json& attrs)>;

class tenant_space {
public:
  tenant_space(std::string name, notifier& notify);
  ~tenant_space();

  const std::string& name() const {
    return name_;
  }

  entity_store& store() {
    return store_;
  }

  /// True while the tenant has any subscription (so the TENANT can skip
  /// rendering changes nobody receives).
  bool has_subscriptions() const {
    return !subs_.empty();
  }

  size_t num_subscriptions() const {
    return subs_.size();
  }

  /// Hands a change to every matching subscription whose owner may see it.
  void publish(const entity_change& change);

  /// What an API write does after the store took it: keeps the change in
  /// the space log (API entities, not live ones), then publishes it. When
  /// the log refuses it (disk full), the store is put back as it was and
  /// the error (errc::out_of_space, ...) must become the answer: nothing
  /// is acknowledged that a restart would lose.
  caf::error commit(const entity_change& change);

  /// Keeps what the API writes in `log` from now on.
  void keep_in(std::shared_ptr<space_log> log) {
    log_ = std::move(log);
  }

  /// Writes the space log anew from what the space holds now: every API
  /// entity and every subscription with its counters (at start, after
  /// the restore, and when the space ends with a clean stop).
  caf::error checkpoint();

  /// Adds a subscription; `visible` decides, per entity type, what its
  /// owner may receive. already_exists if the id is taken.
  caf::expected<delivery_ptr>
  subscribe(subscription sub, std::function<bool(std::string_view)> visible,
            size_t max_total = SIZE_MAX, size_t max_per_owner = SIZE_MAX);

  caf::expected<delivery_ptr> find_subscription(std::string_view id) const;

  /// Every subscription, in id order.
  std::vector<delivery_ptr> subscriptions() const;

  caf::error unsubscribe(std::string_view id);

  /// Replaces a subscription after a PATCH.
  caf::error update_subscription(const delivery_ptr& d, subscription sub);

  /// Adds a subscription read back from the space log, with its counters,
  /// without logging it again.
  caf::expected<delivery_ptr>
  restore_subscription(subscription sub,
                       std::function<bool(std::string_view)> visible,
                       const json& status);

  /// The twin's writer for live entities; unset for tenants without a city.
  live_writer live;

private:
  struct entry {
    delivery_ptr target;
    std::function<bool(std::string_view)> visible;
  };

  // Logs a subscription as it is now (after create or PATCH).
  caf::error log_subscription(const delivery_ptr& d);
  void undo(const entity_change& change);
  // Rewrites the space log when appends have grown it (checked_log::grown).
  void compact_if_grown();

  std::string name_;
  notifier& notify_;
  std::shared_ptr<space_log> log_;
  entity_store store_;
  std::map<std::string, entry, std::less<>> subs_;
};

} // namespace citytwin::broker
