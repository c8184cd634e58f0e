// adapters/broker/tenant_space.hpp
#pragma once

// Everything one tenant owns in the broker: its entities and its
// subscriptions. Tenants share nothing; the broker only hands a request
// the space its credentials allow. Plain state: its TENANT actor is its
// one owner (before that, whoever seeds it).

#include "twin/broker/entity_store.hpp"
#include "adapters/broker/notifier.hpp"
#include "twin/broker/subscription.hpp"

#include <caf/expected.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace citytwin::broker {

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

  /// The twin's writer for live entities; unset for tenants without a city.
  live_writer live;

private:
  struct entry {
    delivery_ptr target;
    std::function<bool(std::string_view)> visible;
  };

  std::string name_;
  notifier& notify_;
  entity_store store_;
  std::map<std::string, entry, std::less<>> subs_;
};

} // namespace citytwin::broker
