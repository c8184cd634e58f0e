// viz/twin_api.hpp
#pragma once

#include "actors/spawn_twin.hpp"
#include "viz/http_server.hpp"
#include "viz/viewer_limits.hpp"

#include <caf/actor_system.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace citytwin::viz {

/// Renders the Prometheus text for `/metrics` from the twin's counters; the
/// caller adds whatever else it runs (ingest, broker). Keeps viz free of
/// any dependency on adapters. Called on the server's thread.
using metrics_renderer = std::function<std::string(const actors::twin_stats&)>;

/// An entity's archived history for the viewer's plot, as JSON text
/// (`{"<attribute>":{"t":[seconds...],"v":[values...]},...}`), or nullopt
/// when the server keeps no archive. Given by whoever runs the archive
/// (adapters), so viz stays free of it. It reads files: the API calls it
/// off the server's thread.
using history_renderer
  = std::function<std::optional<std::string>(const std::string& urn)>;

/// The read-only HTTP API of a running twin, for operators and scripts:
///   GET /                    a landing page with the city's figures
///   GET /api/status          entity counts and ingest counters (JSON)
///   GET /api/entities/<urn>  one entity's live state (JSON)
///   GET /api/entities/<urn>/history  its last day from the archive
///   GET /metrics             counters in Prometheus text format
/// The live WebSocket viewer builds on this server.
///
/// No route waits on the server's thread: a route that asks the TWIN
/// defers its request (`http_reply::defer`, at most
/// `viewer_limits::max_pending_requests` wait, more get 503) and spawns a
/// short-lived actor whose response handler answers. A TWIN that does not
/// answer within `timeout` gets the client a 503.
async_http_handler
make_twin_api(caf::actor_system& sys, actors::twin_handles twin,
              std::string city, metrics_renderer metrics,
              std::chrono::milliseconds timeout = viewer_limits::twin_timeout,
              history_renderer history = {});

} // namespace citytwin::viz
