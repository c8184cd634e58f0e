// viz/scenarios_api.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "viz/http_server.hpp"
#include "viz/operations_access.hpp"

#include <caf/actor_system.hpp>

#include <chrono>

namespace citytwin::viz {

/// The what-if routes of a server, on the viewer port:
///   POST /api/scenarios       runs a scenario file (YAML in the body,
///                             at most 1 MiB) on a fork of the live twin
///                             (operator, planner or admin token): 202
///                             with its id, 400 listing every problem,
///                             503 while the most runs at once are busy
///   GET  /api/scenarios       the runs kept, newest first, without results
///   GET  /api/scenarios/<id>  one run: status, progress, the fork, and when
///                             done its results (notes, trip times per
///                             group, congested roads, recommended actions)
///   POST /api/scenarios/<id>/issue
///                             issues a done run's recommended actions as
///                             alerts for their audiences (operator or admin
///                             token): the emergency services see them in
///                             /api/alerts, as NGSI-LD Alert entities and in
///                             their subscriptions; 409 if not done
/// Reading needs any role of the tenant. `next` answers every other path.
async_http_handler
make_scenarios_api(caf::actor_system& sys,
                   actors::scenario_service_actor service,
                   operations_access access, async_http_handler next,
                   std::chrono::milliseconds timeout
                   = std::chrono::seconds(10));

} // namespace citytwin::viz
