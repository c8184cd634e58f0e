// viz/twin_api.hpp
#pragma once

#include "actors/spawn_twin.hpp"
#include "viz/http_server.hpp"

#include <caf/actor_system.hpp>

#include <functional>
#include <string>

namespace citytwin::viz {

/// Renders the Prometheus text for `/metrics` from the twin's counters; the
/// caller adds whatever else it runs (ingest, broker). Keeps viz free of
/// any dependency on adapters.
using metrics_renderer = std::function<std::string(const actors::twin_stats&)>;

/// The read-only HTTP API of a running twin, for operators and scripts:
///   GET /                    a landing page with the city's figures
///   GET /api/status          entity counts and ingest counters (JSON)
///   GET /api/entities/<urn>  one entity's live state (JSON)
///   GET /metrics             counters in Prometheus text format
/// The live WebSocket viewer builds on this server.
http_handler make_twin_api(caf::actor_system& sys, actors::twin_handles twin,
                           std::string city, metrics_renderer metrics);

} // namespace citytwin::viz
