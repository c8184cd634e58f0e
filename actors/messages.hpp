// actors/messages.hpp
#pragma once

#include "twin/command.hpp"
#include "twin/entity_id.hpp"
#include "twin/entity_kind.hpp"
#include "twin/entity_state.hpp"
#include "twin/error.hpp"
#include "twin/audit_log.hpp"
#include "twin/rules/alert_book.hpp"
#include "twin/rules/bound_rules.hpp"
#include "twin/rules/outputs.hpp"

#include <caf/meta/type_name.hpp>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace citytwin::broker {
// One tenant's broker state (adapters/broker/tenant_space.hpp): only its
// TENANT actor touches it, so the actors layer names it without knowing it.
class tenant_space;
} // namespace citytwin::broker

namespace citytwin::actors {

/// Which deltas a subscriber wants. Empty sets mean "everything".
struct subscription_filter {
  uint32_t kinds = 0; ///< bit (1 << kind) per wanted entity_kind

  /// True if a delta of an entity of `kind` passes the filter.
  bool accepts(twin::entity_kind kind) const {
    return kinds == 0 || (kinds & (uint32_t{1} << static_cast<int>(kind)));
  }

  /// Adds a kind to the set of wanted kinds.
  subscription_filter& with(twin::entity_kind kind) {
    kinds |= uint32_t{1} << static_cast<int>(kind);
    return *this;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, subscription_filter& x) {
  return f(caf::meta::type_name("subscription_filter"), x.kinds);
}

/// Number of slots in per-reason counters: every `errc` value has one.
constexpr size_t num_reasons = 16;

/// Readings an entity rejected while applying one batch, by `errc` value.
/// Sent only when something was rejected, so the valid path stays lean.
struct rejection_report {
  twin::entity_id id;
  std::vector<uint32_t> by_reason; ///< index = errc value
  std::string last_message;        ///< the last rejection, for the log
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rejection_report& x) {
  return f(caf::meta::type_name("rejection_report"), x.id, x.by_reason,
           x.last_message);
}

/// Counters of one delta publisher.
struct publisher_stats {
  uint64_t deltas = 0;       ///< deltas received from entities
  uint64_t batches_sent = 0; ///< delta batches sent to subscribers
  uint64_t readings_rejected = 0;
  std::vector<uint64_t> rejected_by_reason; ///< index = errc value
  uint32_t subscribers = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, publisher_stats& x) {
  return f(caf::meta::type_name("publisher_stats"), x.deltas, x.batches_sent,
           x.readings_rejected, x.rejected_by_reason, x.subscribers);
}

/// Counters of one ingest router.
struct router_stats {
  uint64_t readings = 0;       ///< readings received
  uint64_t unknown_entity = 0; ///< readings for ids the twin does not have
  uint64_t messages_out = 0;   ///< per-entity messages sent
  /// Entities this router created at runtime, by index_of(kind).
  std::vector<uint64_t> created_by_kind;
  uint64_t create_refused = 0; ///< creations refused (id taken, no sensor)
  uint64_t commands = 0;         ///< commands received for this shard
  uint64_t commands_refused = 0; ///< of which refused (see twin::execute)
  /// Entities of this shard booted with the city, by index_of(kind): the
  /// TWIN adds them up, since no node of a cluster has them all.
  std::vector<uint64_t> booted_by_kind;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, router_stats& x) {
  return f(caf::meta::type_name("router_stats"), x.readings, x.unknown_entity,
           x.messages_out, x.created_by_kind, x.create_refused, x.commands,
           x.commands_refused, x.booted_by_kind);
}

/// What the whole twin reports: sizes and the sums of all counters.
struct twin_stats {
  std::string city;
  /// Entities booted with the city plus those created at runtime; index
  /// = index_of(kind).
  std::vector<uint64_t> entities_by_kind;
  uint64_t created = 0;           ///< entities created at runtime
  uint64_t readings = 0;          ///< readings received by the routers
  uint64_t unknown_entity = 0;    ///< of which addressed no entity
  uint64_t readings_rejected = 0; ///< of which entities refused
  std::vector<uint64_t> rejected_by_reason; ///< index = errc value
  uint64_t deltas = 0;
  uint32_t shards = 0;
  uint64_t commands = 0;         ///< commands sent to actuators
  uint64_t commands_refused = 0; ///< of which refused
  /// On a cluster: shards whose node did not answer (down, and not yet
  /// run elsewhere); their counters and entities are missing above.
  uint32_t shards_unreachable = 0;

  /// Readings that changed or confirmed an entity's state.
  uint64_t readings_applied() const {
    return readings - unknown_entity - readings_rejected;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, twin_stats& x) {
  return f(caf::meta::type_name("twin_stats"), x.city, x.entities_by_kind,
           x.created, x.readings, x.unknown_entity, x.readings_rejected,
           x.rejected_by_reason, x.deltas, x.shards, x.commands,
           x.commands_refused, x.shards_unreachable);
}

/// Work on one tenant's broker state, run by its TENANT actor: an NGSI-LD
/// route with its reply hook, which posts the answer back to the I/O thread
/// that asked. A closure, so it never leaves the process: a cluster routes
/// the HTTP request to the tenant's node instead.
struct tenant_task {
  std::function<void(broker::tenant_space&)> run;
};

/// A command an NGSI-LD client sent to one of its tenant's actuators: its
/// TENANT passes it to the twin and hands the outcome (the actuator's new
/// state or why it refused) to `done`, which answers the client. A
/// closure, like `tenant_task`.
struct command_task {
  twin::command cmd;
  std::function<void(caf::expected<twin::entity_state>)> done;
};

/// Sizes a TENANT reports for /metrics.
struct tenant_gauges {
  uint64_t entities = 0;
  uint64_t subscriptions = 0;
  uint64_t deltas = 0; ///< twin deltas applied since start
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tenant_gauges& x) {
  return f(caf::meta::type_name("tenant_gauges"), x.entities, x.subscriptions,
           x.deltas);
}

/// A rule set bound to the city, for the RULES actors: at start and on
/// every reload. Shared and immutable; it never crosses the network (a
/// node binds the rule file to its own copy of the city).
struct rules_load {
  std::shared_ptr<const rules::bound_rules> rules;
};

/// What to read from the AUDIT log: entries after sequence number `after`,
/// at most `limit`, of kind `what` (0: every kind).
struct audit_query {
  uint64_t after = 0;
  uint32_t limit = 100;
  uint8_t what = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_query& x) {
  return f(caf::meta::type_name("audit_query"), x.after, x.limit, x.what);
}

/// A page of the AUDIT log, with how many entries it let go.
struct audit_page {
  std::vector<twin::audit_entry> entries;
  uint64_t appended = 0;
  uint64_t dropped = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_page& x) {
  return f(caf::meta::type_name("audit_page"), x.entries, x.appended,
           x.dropped);
}

/// What ALERTS holds: alerts (open first), recommendations in force, and
/// the newest rule firings with their explanations.
struct alerts_report {
  std::vector<rules::alert> alerts;
  std::vector<rules::advice> advice;
  std::vector<rules::firing> firings;
  uint64_t num_firings = 0;
  uint64_t num_open = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alerts_report& x) {
  return f(caf::meta::type_name("alerts_report"), x.alerts, x.advice,
           x.firings, x.num_firings, x.num_open);
}

/// A what-if run on the server as its SCENARIO SERVICE reports it. Plain
/// data: the results come rendered as JSON by the scenarios layer, which
/// the actors layer does not know.
struct scenario_report {
  uint64_t id = 0;
  std::string name;   ///< the scenario's name
  std::string who;    ///< who submitted it ("planner:demo-planner")
  std::string status; ///< forking, running, done, failed
  std::string error;  ///< why it failed
  twin::time_ms submitted = 0;
  twin::time_ms finished = 0;
  double simulated_s = 0;
  double horizon_s = 0;
  uint64_t forked_entities = 0; ///< entity states copied from the twin
  double fork_s = 0;            ///< how long the fork took
  twin::time_ms as_of = 0;      ///< the newest reading in the fork
  double run_s = 0;             ///< setup and simulation, wall
  std::string run_file;         ///< the HDF5 file, if written
  std::string results_json;     ///< notes, summary, congestion, actions
  /// The recommended actions as alerts to raise when someone issues them
  /// (one rule id per action: `whatif:run-<id>:<n>`).
  std::vector<rules::alert_change> actions;
  uint32_t times_issued = 0;
  /// A run of another run's scenario with some of its recommended actions
  /// in effect: that run's id (0: none) and the actions applied, as text.
  uint64_t applied_to = 0;
  std::vector<std::string> applied;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scenario_report& x) {
  return f(caf::meta::type_name("scenario_report"), x.id, x.name, x.who,
           x.status, x.error, x.submitted, x.finished, x.simulated_s,
           x.horizon_s, x.forked_entities, x.fork_s, x.as_of, x.run_s,
           x.run_file, x.results_json, x.actions, x.times_issued,
           x.applied_to, x.applied);
}

/// How a node of a cluster sees one of its peers.
struct cluster_peer_status {
  std::string name;
  bool up = true;
  twin::time_ms since = 0;     ///< when it last went up or down
  twin::time_ms last_seen = 0; ///< its last heartbeat answer
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f,
                                        cluster_peer_status& x) {
  return f(caf::meta::type_name("cluster_peer_status"), x.name, x.up,
           x.since, x.last_seen);
}

/// A CLUSTER NODE's view of its cluster, for /api/status and /metrics.
struct cluster_status {
  std::string self;
  uint64_t map_version = 0;
  std::vector<cluster_peer_status> peers;
  /// Since when some peer has been down; 0 while all are up.
  twin::time_ms degraded_since = 0;
  /// The shards this node hosts now: its own and those it adopted.
  std::vector<uint32_t> hosted;
  uint64_t shards_adopted = 0; ///< brought up here for nodes that were down
  /// How long the last adoption took until every entity of the adopted
  /// shards answered (ms); 0 if there was none.
  uint32_t last_adoption_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_status& x) {
  return f(caf::meta::type_name("cluster_status"), x.self, x.map_version,
           x.peers, x.degraded_since, x.hosted, x.shards_adopted,
           x.last_adoption_ms);
}

/// Counters of a STANDBY.
struct standby_stats {
  std::vector<uint32_t> backed_up; ///< the shards it keeps copies of
  uint64_t entities = 0;           ///< entity states it holds
  uint64_t deltas = 0;             ///< deltas received
  uint64_t shards_adopted = 0;     ///< shards it brought up on this node
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, standby_stats& x) {
  return f(caf::meta::type_name("standby_stats"), x.backed_up, x.entities,
           x.deltas, x.shards_adopted);
}

/// Counters of a SCENARIO SERVICE, for /metrics.
struct scenario_service_stats {
  uint64_t submitted = 0; ///< runs accepted
  uint64_t refused_busy = 0;    ///< refused: too many runs at once
  uint64_t refused_invalid = 0; ///< refused: the scenario has problems
  uint64_t done = 0;
  uint64_t failed = 0;
  uint32_t running = 0;
};

template <class Inspector>
typename Inspector::result_type
inspect(Inspector& f, scenario_service_stats& x) {
  return f(caf::meta::type_name("scenario_service_stats"), x.submitted,
           x.refused_busy, x.refused_invalid, x.done, x.failed, x.running);
}

} // namespace citytwin::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(citytwin::actors::rules_load)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(citytwin::actors::tenant_task)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(citytwin::actors::command_task)
