// adapters/broker/broker.hpp
#pragma once

// The data broker: tenants with their entities and subscriptions, who may
// do what (twin/access.hpp), metering of commercial API keys, the open-data
// rate limit and the counters of refused attempts. Each tenant's entities
// and subscriptions belong to its TENANT actor (adapters/broker/
// tenant_actor.hpp); the rest is thread-safe, and the HTTP layer
// (adapters/ngsi) calls it from its I/O threads.

#include "actors/interfaces.hpp"
#include "adapters/archive/tenant_archive.hpp"
#include "adapters/broker/notifier.hpp"
#include "adapters/broker/outbound_policy.hpp"
#include "adapters/broker/tenant_space.hpp"
#include "twin/access.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::broker {

/// Counts per day and key; refuses once a key's quota is used up.
class usage_meter {
public:
  /// Charges one request to `key` on UTC day `day`; false over quota.
  bool charge(const std::string& key, int64_t day, uint64_t quota);

  /// Requests charged to `key` today (and refused ones).
  struct usage {
    uint64_t used = 0;
    uint64_t refused = 0;
  };
  std::map<std::string, usage> snapshot(int64_t day) const;

private:
  mutable std::mutex mtx_;
  std::map<std::pair<std::string, int64_t>, usage> counts_;
};

/// A token bucket per client address: `per_minute` requests, bursts up to
/// the same number.
class rate_limiter {
public:
  explicit rate_limiter(uint32_t per_minute) : per_minute_(per_minute) {
  }

  /// Takes one token for `client`; false (and the seconds until the next
  /// token in `retry_after_s`) when empty.
  bool allow(const std::string& client, double now_s, int& retry_after_s);

private:
  // Buckets kept at most; past it, full ones (clients idle for a minute)
  // are forgotten, so a flood of addresses cannot grow the map for ever.
  static constexpr size_t max_buckets = 10'000;

  struct bucket {
    double tokens = 0;
    double last_s = 0;
  };
  uint32_t per_minute_;
  std::mutex mtx_;
  std::map<std::string, bucket> buckets_;
};

/// Sizes of one tenant, published by its TENANT after every message, so
/// /metrics reads them without asking (or waiting for) the actor.
struct tenant_counters {
  std::atomic<uint64_t> entities{0};
  std::atomic<uint64_t> subscriptions{0};
  std::atomic<uint64_t> deltas{0};
};

class broker {
public:
  explicit broker(twin::access_config access, notifier_config notify = {});
  ~broker();

  const twin::access_config& access() const {
    return access_;
  }

  /// Before `start_tenants`: the space of a configured tenant, to seed
  /// its city's live entities (no actor runs yet); nullptr otherwise.
  tenant_space* seeding(std::string_view name);

  /// Hands every tenant's space to its own TENANT actor in `sys`, which
  /// must outlive the broker or `stop_tenants`. Once only.
  void start_tenants(caf::actor_system& sys);

  /// The TENANT of a configured tenant once started; invalid otherwise.
  actors::tenant_actor tenant(std::string_view name) const;

  /// The sizes a tenant's TENANT last published; nullptr if unknown.
  const tenant_counters* counters(std::string_view name) const;

  /// Stops every TENANT (each after unsubscribing from `twins`' fronts,
  /// when given) and waits until they are gone. Idempotent.
  void stop_tenants(const std::vector<actors::twin_actor>& twins = {});

  notifier& notifications() {
    return notify_;
  }

  usage_meter& usage() {
    return usage_;
  }

  rate_limiter& open_data_limit() {
    return open_data_;
  }

  /// Anonymous NGSI-LD requests, per tenant and client address.
  rate_limiter& anonymous_limit() {
    return anonymous_;
  }

  /// Where a tenant's notifications may go.
  std::shared_ptr<const outbound_policy> outbound(std::string_view tenant) const;

  /// Keeps notifications off the server's own listening ports.
  void set_own_ports(std::vector<uint16_t> ports);

  /// Webhook and MQTT subscriptions of every tenant together.
  size_t num_outbound_subscriptions() const;

  /// Who is asking: from `Authorization: Bearer <token>` or an
  /// `X-Api-Key` (either may be null). Errors: unauthorized with the
  /// reason (missing, unknown, expired), never with the secret.
  caf::expected<twin::principal> authenticate(const std::string* bearer,
                                              const std::string* api_key,
                                              twin::time_ms now) const;

  /// Records a refused attempt by reason (e.g. `cross_tenant_read`).
  void refuse(const std::string& reason);

  /// Refused attempts by reason.
  std::map<std::string, uint64_t> refusals() const;

  /// Requests served, by HTTP status class (2xx ..).
  void count_status(int status);
  std::map<int, uint64_t> statuses() const;

  /// A tenant's history (adapters/archive), for the temporal API and for
  /// journaling what the API writes; set before the TENANTs start.
  void set_archive(std::string tenant,
                   std::shared_ptr<archive::tenant_archive> history);

  /// nullptr when the tenant keeps no archive.
  std::shared_ptr<archive::tenant_archive>
  archive(std::string_view tenant) const;

  /// The space log of a tenant (space_restore.hpp), for its counters.
  void set_space_log(std::string tenant, std::shared_ptr<const space_log> log);

  /// Appends every tenant's space log refused (disk full), by tenant.
  std::map<std::string, uint64_t> space_log_refusals() const;

private:
  twin::access_config access_;
  notifier notify_;
  // Spaces wait here until start_tenants hands them to their actors.
  std::map<std::string, std::unique_ptr<tenant_space>, std::less<>> seeding_;
  // Fixed once started: I/O threads read it without a lock.
  std::map<std::string, actors::tenant_actor, std::less<>> tenants_;
  std::map<std::string, std::shared_ptr<tenant_counters>, std::less<>>
      counters_;
  caf::actor_system* sys_ = nullptr;
  usage_meter usage_;
  rate_limiter open_data_;
  rate_limiter anonymous_;
  mutable std::mutex policy_mtx_;
  std::map<std::string, std::shared_ptr<const outbound_policy>, std::less<>>
      policies_;
  mutable std::mutex counters_mtx_;
  std::map<std::string, uint64_t> refusals_;
  std::map<std::string, std::shared_ptr<archive::tenant_archive>, std::less<>>
      archives_; // guarded by counters_mtx_
  std::map<std::string, std::shared_ptr<const space_log>, std::less<>>
      space_logs_; // guarded by counters_mtx_
  std::array<std::atomic<uint64_t>, 6> statuses_{};
};

/// May `who` hold `sub` in `tenant`? Every type it names must be
/// subscribable; one naming no type needs a token of the tenant itself.
bool may_subscribe(const twin::access_config& access,
                   const twin::principal& who, std::string_view tenant,
                   const subscription& sub);

} // namespace citytwin::broker
