// adapters/broker/tenant_actor.hpp
#pragma once

// The TENANT actor (actors/interfaces.hpp): the one owner of a tenant's
// broker state. It applies its city's deltas to the live entities (so
// subscriptions fire on live readings) and runs the NGSI-LD routes as
// tasks, one at a time: the state needs no lock and no I/O thread waits.

#include "actors/interfaces.hpp"
#include "actors/spawn_twin.hpp"
#include "adapters/archive/tenant_archive.hpp"
#include "adapters/broker/tenant_space.hpp"
#include "twin/entity_state.hpp"

#include <caf/actor_system.hpp>
#include <caf/expected.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <string>

namespace citytwin::broker {

struct tenant_counters;

struct tenant_actor_state {
  static inline const char* name = "broker-tenant";
  std::shared_ptr<tenant_space> space; ///< held by nobody else
  std::shared_ptr<tenant_counters> counters;
  /// The tenant's history: alerts and aggregates are archived there like
  /// readings (derived streams). Null: the tenant keeps no archive.
  std::shared_ptr<archive::tenant_archive> history;
  /// The tenant's city twin, for commands; none until `attach_twin`.
  actors::twin_actor twin;
  uint64_t num_deltas = 0;

  /// Applies deltas of the tenant's city (named like the tenant).
  void apply(const twin::delta_batch& batch);

  /// Keeps a rule's alert as an NGSI-LD entity of type Alert
  /// (adapters/broker/alert_entity), created or replaced, and notifies.
  void apply(const rules::alert& a);

  /// Keeps the latest window of each aggregate group as an NGSI-LD entity
  /// of type VirtualSensor (adapters/broker/virtual_sensor), and notifies.
  void apply(const std::vector<rules::aggregate_value>& values);

  /// Creates or replaces a twin-written document; notifies subscribers.
  void keep(nlohmann::json doc);
  actors::tenant_gauges gauges() const;
  /// Publishes the gauges to `counters`.
  void publish_gauges();
};

/// The behavior of a TENANT over `space`, which it owns from now on.
actors::tenant_actor::behavior_type
tenant_actor(actors::tenant_actor::stateful_pointer<tenant_actor_state> self,
             std::shared_ptr<tenant_space> space,
             std::shared_ptr<tenant_counters> counters,
             std::shared_ptr<archive::tenant_archive> history);

/// Spawns the TENANT owning `space` (seeded or empty); it keeps
/// `counters` current and archives derived streams in `history` (if any).
actors::tenant_actor
spawn_tenant(caf::actor_system& sys, std::unique_ptr<tenant_space> space,
             std::shared_ptr<tenant_counters> counters,
             std::shared_ptr<archive::tenant_archive> history = nullptr);

/// Joins a TENANT to its city's twin: NGSI-LD writes of measured
/// attributes become twin readings, commands go to the twin's actuators,
/// and the TENANT receives the twin's deltas. Waits for the twin's answer: call at start-up, outside actors.
caf::error attach_twin(caf::actor_system& sys, const actors::twin_handles& twin,
                       const actors::tenant_actor& tenant,
                       const std::string& city, archive::keep_fn keep = {});

/// Stops a TENANT at once, whatever its backlog (unsubscribe it from its
/// twin first); blocks until it is gone, so call at shutdown, outside
/// actors.
void stop_tenant(caf::actor_system& sys, actors::tenant_actor& tenant);

} // namespace citytwin::broker
