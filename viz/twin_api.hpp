// viz/twin_api.hpp
#pragma once

#include "actors/spawn_twin.hpp"
#include "viz/http_server.hpp"

#include <caf/actor_system.hpp>

#include <string>

namespace citytwin::viz {

/// The read-only HTTP API of a running twin, for operators and scripts:
///   GET /                    a landing page with the city's figures
///   GET /api/status          entity counts and ingest counters (JSON)
///   GET /api/entities/<urn>  one entity's live state (JSON)
/// The live WebSocket viewer builds on this server.
http_handler make_twin_api(caf::actor_system& sys, actors::twin_handles twin,
                           std::string city);

} // namespace citytwin::viz
