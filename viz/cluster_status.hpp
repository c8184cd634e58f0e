// viz/cluster_status.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "viz/http_server.hpp"

#include <caf/actor_system.hpp>

#include <chrono>

namespace citytwin::viz {

/// `next` with the cluster as this node sees it added (issue 15): a
/// `cluster` member in `/api/status` (this node, the map version, each
/// peer up or down and since when, `degradedSince` while one is down) and
/// `citytwin_cluster_*` series in `/metrics`, asked of the CLUSTER NODE
/// for every request. If it does not answer in `timeout`, the answer goes
/// out without them.
async_http_handler with_cluster_status(caf::actor_system& sys,
                                       actors::cluster_node_actor node,
                                       async_http_handler next,
                                       std::chrono::milliseconds timeout);

} // namespace citytwin::viz
