// actors/type_ids.hpp
#pragma once

// Every message type citytwin's actors exchange, registered in one CAF
// type-ID block so each message can be serialized and cross nodes. Our
// targets define CAF_ENABLE_TYPE_ID_CHECKS: sending a type missing here
// fails to compile. Atoms live in actors/atoms.hpp.

#include "actors/interfaces.hpp"

#include <caf/type_id.hpp>

CAF_BEGIN_TYPE_ID_BLOCK(citytwin, caf::first_custom_type_id)

  CAF_ADD_TYPE_ID(citytwin, (citytwin::twin::entity_id))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::twin::reading))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::twin::reading_batch))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::twin::entity_state))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::twin::delta))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::twin::delta_batch))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::twin::command))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::subscription_filter))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::rejection_report))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::publisher_stats))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::router_stats))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::twin_stats))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::subscriber_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::entity_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::publisher_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::router_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::twin_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::tenant_task))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::command_task))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::tenant_gauges))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::tenant_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::twin::audit_entry))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::audit_query))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::audit_page))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::audit_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::rules::outputs))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::rules::disabled_rule))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::rules::alert))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::alerts_report))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::alerts_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::alert_listener_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::rules::aggregate_value))
  CAF_ADD_TYPE_ID(citytwin, (std::vector<citytwin::rules::aggregate_value>))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::rules_load))
  CAF_ADD_TYPE_ID(citytwin, (std::vector<citytwin::rules::rule_status>))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::rules_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::fork_slot))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::fork_part))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::twin_fork))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::scenario_report))
  CAF_ADD_TYPE_ID(citytwin, (std::vector<citytwin::actors::scenario_report>))
  CAF_ADD_TYPE_ID(citytwin, (std::vector<uint32_t>))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::scenario_service_stats))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::scenario_service_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::cluster_peer_status))
  CAF_ADD_TYPE_ID(citytwin, (std::vector<citytwin::actors::cluster_peer_status>))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::cluster_status))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::shard_handles))
  CAF_ADD_TYPE_ID(citytwin, (std::vector<citytwin::actors::shard_handles>))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::standby_stats))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::standby_actor))
  CAF_ADD_TYPE_ID(citytwin, (citytwin::actors::cluster_node_actor))

CAF_END_TYPE_ID_BLOCK(citytwin)
