// actors/interfaces.hpp
#pragma once

// Every typed actor interface of citytwin, in one place. Roles in capitals
// in the comments: ENTITY, PUBLISHER, ROUTER, TWIN, SUBSCRIBER, FEED.
//
// Message flow:  adapters/FEED --readings--> TWIN --> ROUTER (one per shard)
//   --> ENTITY (one per road segment, lamp, bin, sensor, ...)
//   --delta--> PUBLISHER (one per shard) --delta batches--> SUBSCRIBER

#include "actors/atoms.hpp"
#include "actors/fork.hpp"
#include "actors/messages.hpp"
#include "twin/command.hpp"
#include "twin/entity_state.hpp"
#include "twin/reading.hpp"
#include "twin/rules/engine.hpp"

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace citytwin::actors {

/// SUBSCRIBER: anything that wants deltas (viewer, broker, archive, tests).
using subscriber_actor = caf::typed_actor<
    // Receives deltas that passed its filter, in batches.
    caf::reacts_to<twin::delta_batch>>;

/// ENTITY: the live state of one thing in the city.
using entity_actor = caf::typed_actor<
    // Applies readings for this entity; publishes one delta if it changed.
    caf::reacts_to<observe_atom, twin::reading_batch>,
    // Applies one reading: the common case of one value per update, without
    // a vector allocation per message.
    caf::reacts_to<observe_atom, twin::reading>,
    // Executes a command (actuators only); publishes the delta and returns
    // the new state, or why the command was refused (twin::execute).
    caf::replies_to<command_atom, twin::command>::with<twin::entity_state>,
    // Returns the current state.
    caf::replies_to<caf::get_atom>::with<twin::entity_state>,
    // Copies the current state into a fork's slot (actors/fork.hpp).
    caf::reacts_to<fork_atom, fork_slot>,
    // Takes over a state kept elsewhere (on a cluster, a shard handed back
    // by the node that kept it while this one was down); publishes it.
    caf::reacts_to<caf::put_atom, twin::entity_state>>;

/// PUBLISHER: collects the deltas of one shard of entities and fans them
/// out to subscribers in batches.
using publisher_actor = caf::typed_actor<
    // Receives one entity's change.
    caf::reacts_to<twin::delta>,
    // Receives the readings an entity rejected.
    caf::reacts_to<reject_atom, rejection_report>,
    // Adds a subscriber with a filter.
    caf::replies_to<caf::subscribe_atom, subscriber_actor,
                    subscription_filter>::with<caf::ok_atom>,
    // Removes a subscriber.
    caf::reacts_to<caf::unsubscribe_atom, subscriber_actor>,
    // Returns counters.
    caf::replies_to<stats_atom>::with<publisher_stats>>;

/// ROUTER: splits mixed reading batches into per-entity messages.
using router_actor = caf::typed_actor<
    // Routes readings to their entities; unknown ids are counted.
    caf::reacts_to<observe_atom, twin::reading_batch>,
    // Creates a sensor entity of this shard at runtime; refused (counted)
    // if the id exists or its kind is not a sensor kind.
    caf::reacts_to<create_atom, twin::entity_id>,
    // Passes a command to its actuator in this shard, counting commands
    // and refusals; the actuator's new state or why it refused.
    caf::replies_to<command_atom, twin::command>::with<twin::entity_state>,
    // Returns the state of an entity of this shard, also one created at
    // runtime; errc::unknown_entity if there is none.
    caf::replies_to<caf::get_atom, twin::entity_id>::with<twin::entity_state>,
    // Returns counters.
    caf::replies_to<stats_atom>::with<router_stats>,
    // Forks this shard: copies of its entities of the kinds in the mask
    // (bit 1 << kind), each taken after every reading routed before.
    caf::replies_to<fork_atom, uint32_t>::with<fork_part>,
    // Internal: the last entity of fork number `n` filled its slot.
    caf::reacts_to<fork_atom, caf::ok_atom, uint64_t>>;

/// SHARD LINK: on a cluster, this node's ROUTER for a shard another node
/// hosts: it passes everything on to that node's ROUTER and keeps the
/// readings and creations of the last seconds, so when the shard moves
/// (its node died, or came back) the new ROUTER gets again what the old
/// node may have lost; readings it had applied are rejected as stale.
using shard_link_actor = router_actor::extend<
  // The shard moved: routes to this ROUTER from now on, after sending it
  // the readings and creations kept.
  caf::reacts_to<move_atom, router_actor>,
  // Internal: a second has passed; the oldest second kept is dropped.
  caf::reacts_to<caf::tick_atom>>;

/// AUDIT: who changed what in the city, when and why (twin/audit_log).
using audit_actor = caf::typed_actor<
    // Appends an entry (actuations from ROUTERs, alert transitions from
    // ALERTS, rule loads from whoever loads them).
    caf::reacts_to<twin::audit_entry>,
    // Returns a page of entries.
    caf::replies_to<caf::get_atom, audit_query>::with<audit_page>>;

/// The shards one node of a cluster hosts, each with its ROUTER and its
/// PUBLISHER: what a peer needs to route readings, commands, queries and
/// subscriptions for those shards straight to them.
struct shard_handles {
  std::string node;
  std::vector<uint32_t> shards;
  std::vector<router_actor> routers;       ///< by position in `shards`
  std::vector<publisher_actor> publishers; ///< by position in `shards`
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, shard_handles& x) {
  return f(caf::meta::type_name("shard_handles"), x.node, x.shards, x.routers,
           x.publishers);
}

/// TWIN: the front door of one city's twin.
using twin_actor = caf::typed_actor<
    // Routes readings to their entities (through a ROUTER).
    caf::reacts_to<observe_atom, twin::reading_batch>,
    // Creates a sensor entity at runtime, in its shard (through its ROUTER,
    // so readings sent here afterwards find it).
    caf::reacts_to<create_atom, twin::entity_id>,
    // Sends a command to an actuator (through its shard's ROUTER); its new
    // state, or why it was refused (errc::unknown_entity, not_an_actuator,
    // out_of_range, not_finite, actuator_fault).
    caf::replies_to<command_atom, twin::command>::with<twin::entity_state>,
    // Returns one entity's state; errc::unknown_entity if there is none.
    caf::replies_to<caf::get_atom, twin::entity_id>::with<twin::entity_state>,
    // Subscribes to the deltas of every shard.
    caf::replies_to<caf::subscribe_atom, subscriber_actor,
                    subscription_filter>::with<caf::ok_atom>,
    // Unsubscribes from every shard.
    caf::reacts_to<caf::unsubscribe_atom, subscriber_actor>,
    // Returns sizes and summed counters of all shards.
    caf::replies_to<stats_atom>::with<twin_stats>,
    // Forks the twin: a consistent copy of its entities of the kinds in
    // the mask (bit 1 << kind), for a what-if run (actors/fork.hpp).
    caf::replies_to<fork_atom, uint32_t>::with<twin_fork>,
  // Shards of a cluster moved to another node (a failover, or their node
  // taking them back): their SHARD LINKs route there from now on, and
  // every subscriber of the twin is subscribed to their new PUBLISHERs.
  caf::reacts_to<move_atom, shard_handles>>;

/// RULES: evaluates one partition of a tenant's rules on the deltas it
/// subscribes to, sends commands to the TWIN and the rest to ALERTS.
using rules_actor = subscriber_actor::extend<
    // Replaces the rules (a reload); values and states carry over.
    caf::reacts_to<rules_load>,
    // Stops a rule another partition found misbehaving.
    caf::reacts_to<rules_atom, rules::disabled_rule>,
    // Returns how each rule of this partition is doing.
    caf::replies_to<caf::get_atom, rules_atom>::with<
      std::vector<rules::rule_status>>>;

/// ALERT LISTENER: anyone who serves alerts elsewhere (the TENANT, as
/// NGSI-LD entities of type Alert).
using alert_listener_actor = caf::typed_actor<
    // Receives an alert after every change of its lifecycle.
    caf::reacts_to<rules::alert>,
    // Receives the values of aggregate windows that closed.
    caf::reacts_to<std::vector<rules::aggregate_value>>>;

/// ALERTS: the one owner of a twin's alerts (their lifecycle), the
/// recommended actions in force and the log of rule firings.
using alerts_actor = caf::typed_actor<
    // Takes what RULES produced, except the commands they sent; a rule
    // one RULES actor disabled is stopped in every other.
    caf::reacts_to<rules::outputs>,
    // Adds a RULES actor whose rules report here.
    caf::reacts_to<caf::join_atom, rules_actor>,
    // Adds a listener; it first receives every alert kept.
    caf::reacts_to<caf::subscribe_atom, alert_listener_actor>,
    // Returns alerts (at most `limit`), advice and recent firings.
    caf::replies_to<caf::get_atom, rules_atom, uint32_t>::with<alerts_report>,
    // Acknowledges an alert by id, by someone, at a time; the alert.
    caf::replies_to<ack_atom, uint64_t, std::string,
                    twin::time_ms>::with<rules::alert>,
    // Reports how acting on an alert went (id, by, outcome, time), which
    // closes it; the alert.
    caf::replies_to<outcome_atom, uint64_t, std::string, std::string,
                    twin::time_ms>::with<rules::alert>>;

/// FEED: a source of readings that runs on simulated time. A SUBSCRIBER,
/// so its simulated devices follow the commands the twin honoured.
using feed_actor = subscriber_actor::extend<
    // Advances simulated time by one step and emits that step's readings.
    caf::reacts_to<caf::tick_atom>,
    // Returns the current simulated time.
    caf::replies_to<caf::get_atom>::with<twin::time_ms>>;

/// TENANT: the one owner of a tenant's broker state (entities created
/// through NGSI-LD, the index of its city's live entities, subscriptions).
/// A SUBSCRIBER of its city's twin, so live entities follow the deltas;
/// the NGSI-LD routes run inside it as tasks, so no I/O thread touches the
/// state or waits for it.
using tenant_actor = subscriber_actor::extend_with<alert_listener_actor>::extend<
    // Runs one piece of work on the state (an API route and its reply).
    caf::reacts_to<tenant_task>,
    // Joins the tenant's city twin, where commands go.
    caf::reacts_to<caf::join_atom, twin_actor>,
    // Passes a client's command to the twin; the outcome goes to its hook.
    caf::reacts_to<command_task>,
    // Returns sizes for /metrics.
    caf::replies_to<stats_atom, caf::get_atom>::with<tenant_gauges>>;

/// SCENARIO WORKER: owns one partition of a what-if run's road network
/// (scenarios/dynamic) and runs that partition's phase of each step, so a
/// run uses every core while the live twin keeps its own threads.
using scenario_worker_actor = caf::typed_actor<
    // Runs phase 0 (fastest-path trees), 1 (move) or 2 (merge) of the
    // current step for this partition; ok when done.
    caf::replies_to<start_atom, uint8_t>::with<caf::ok_atom>>;

/// SCENARIO RUN: steps one what-if run through its SCENARIO WORKERs,
/// phase by phase with a barrier between phases, to its horizon; it works
/// the first partition itself.
using scenario_run_actor = caf::typed_actor<
    // Starts the run; the result goes to the completion hook given at
    // spawn time.
    caf::reacts_to<start_atom>>;

/// STANDBY: a cluster node's copies of the shards it backs up (each
/// shard is backed up by the node after its own in the cluster map), kept
/// current from their PUBLISHERs' deltas; when their node is down it
/// brings them up on this node from the copies. Spawning a shard's entity
/// actors takes a while, so a thread of its own does that, never a
/// scheduler thread.
using standby_actor = subscriber_actor::extend<
  // Node `name` is down: brings up the shards it hosted that this node
  // backs up, then tells the CLUSTER NODE (`adopt_atom`).
  caf::reacts_to<adopt_atom, std::string>,
  // Internal: the entity actors of adoption number `n` are spawned.
  caf::reacts_to<adopt_atom, caf::ok_atom, uint64_t>,
  // Shards moved to the node named in them: copies of them this node ran
  // stop (their node took them back; the TWIN already routes there).
  caf::reacts_to<move_atom, shard_handles>,
  // Returns counters.
  caf::replies_to<stats_atom>::with<standby_stats>>;

/// CLUSTER NODE: one process's member of a cluster (actors/cluster_node),
/// published on its cluster port: accepts or refuses the nodes that join.
using cluster_node_actor = caf::typed_actor<
    // A peer's hello (one line of text, actors/cluster_node.hpp) and its
    // CLUSTER NODE; this node's own hello, or errc::invalid_config saying
    // why the peer may not join (another map, software or set of message
    // types). An accepted peer gets heartbeats from now on, also when it
    // comes back after it was down.
    caf::replies_to<caf::join_atom, std::string, caf::actor>::with<std::string>,
    // A peer's heartbeat: ok while this node runs.
    caf::replies_to<heartbeat_atom>::with<caf::ok_atom>,
    // Internal (from join_cluster): a peer that accepted this node, by
    // name; heartbeats go to it from now on.
    caf::reacts_to<caf::put_atom, std::string, caf::actor>,
    // Internal: time to send heartbeats and look for silent peers.
    caf::reacts_to<caf::tick_atom>,
    // This node's view of its peers.
    caf::replies_to<caf::get_atom>::with<cluster_status>,
    // Internal (from serve): the shards this node hosts are running.
    caf::reacts_to<caf::put_atom, shard_handles>,
    // A peer asks for the shards this node hosts; answered once they run.
    caf::replies_to<caf::get_atom, shard_atom>::with<shard_handles>,
    // Asks every peer for its shards (retrying one that is not up yet)
    // until each shard of the map has its ROUTER, or `wait_ms` is over;
    // what every peer hosts, or errc::invalid_config naming the nodes
    // that did not answer.
    caf::replies_to<caf::get_atom, shard_atom, uint32_t>::with<
      std::vector<shard_handles>>,
    // Internal (from serve): this node's TWIN and STANDBY, told about
    // shards that move and peers that go down.
    caf::reacts_to<caf::put_atom, twin_actor, standby_actor>,
    // From this node's STANDBY: it brought up shards of a node that is
    // down, in `took_ms`; this node hosts them from now on and tells its
    // TWIN and every peer (`move_atom`).
    caf::reacts_to<adopt_atom, shard_handles, uint32_t>,
    // From a peer: shards moved to the node named in them; this node's
    // TWIN routes to them there from now on.
    caf::reacts_to<move_atom, shard_handles>>;

/// SCENARIO SERVICE: the what-if runs of one city's server. Forks the
/// live twin for each run, runs it beside the live twin (detached, at most
/// a few at once) and keeps the latest reports.
using scenario_service_actor = caf::typed_actor<
    // Submits a scenario file's text on behalf of someone; the run's id,
    // or errc::invalid_config listing every problem, or errc::in_use
    // while the most runs at once are under way.
    caf::replies_to<start_atom, std::string, std::string>::with<uint64_t>,
    // Returns the reports of the runs kept, newest first.
    caf::replies_to<caf::get_atom>::with<std::vector<scenario_report>>,
    // Returns one run's report; errc::unknown_entity if it is not kept.
    caf::replies_to<caf::get_atom, uint64_t>::with<scenario_report>,
    // Issues a finished run's recommended actions, on behalf of someone,
    // as alerts for their audiences (police, fire, ...); how many.
    caf::replies_to<issue_atom, uint64_t, std::string>::with<uint32_t>,
    // Runs a finished run's scenario again on the same fork, on behalf of
    // someone, with some of its recommended actions in effect (by index;
    // none named: every action that changes traffic); the new run's id.
    caf::replies_to<apply_atom, uint64_t, std::vector<uint32_t>,
                    std::string>::with<uint64_t>,
    // Internal: a run's new state (progress, fork, result).
    caf::reacts_to<scenario_report>,
    // Returns counters.
    caf::replies_to<stats_atom>::with<scenario_service_stats>>;

} // namespace citytwin::actors
