// viz/live_stream.hpp
#pragma once

#include "actors/spawn_twin.hpp"
#include "viz/http_server.hpp"
#include "viz/monitor_access.hpp"
#include "viz/stream_bridge.hpp"
#include "viz/stream_hub.hpp"

#include <caf/actor_system.hpp>
#include <caf/error.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace citytwin::viz {

/// Options of the live viewer.
struct live_stream_config {
  stream_config stream;
  /// Folder of the built web page (viz/web/dist); empty: no page.
  std::string web_dir;
  /// How often blocked clients and unfinished snapshots are retried.
  std::chrono::milliseconds flush_period{20};
  /// Who may read the monitoring routes; empty: everybody (no tenants).
  monitor_access monitor;
  /// Open TCP connections on the port, and the pause after an accept
  /// fails for lack of descriptors (viz/viewer_limits.hpp).
  size_t max_connections = viewer_limits::max_connections;
  std::chrono::milliseconds accept_backoff = viewer_limits::accept_backoff;
  /// HTTP requests waiting for the twin (viz/viewer_limits.hpp).
  size_t max_pending_requests = viewer_limits::max_pending_requests;
};

/// The live viewer of a running twin: the WebSocket stream on `/ws`, the
/// web page and `GET /api/stream` (stream counters), on an `http_server`.
/// Threads: the BRIDGE actor pushes deltas into an inbox; the server's
/// thread drains it into the `stream_hub`, which owns every client.
class live_stream : private stream_transport {
public:
  /// Seeds the hub with the city's initial states and installs the
  /// WebSocket handler on `server`; call before `server.start`.
  live_stream(http_server& server, const twin::city& c,
              live_stream_config config);

  ~live_stream() override;

  /// Spawns the BRIDGE and subscribes it to every delta of the twin.
  /// Blocks until the twin confirms, so call it from outside any actor and
  /// before readings flow: the hub's cache then starts exact.
  caf::error subscribe(caf::actor_system& sys,
                       const actors::twin_handles& twin);

  /// Unsubscribes and stops the BRIDGE. Call after `server.stop()`.
  void stop();

  /// Wraps the API handler with the web page's files and `/api/stream`,
  /// and appends the viewer's counters to `/metrics`. With access rules,
  /// `/api/entities/<urn>` first checks `token` and `tenant` query
  /// parameters like the stream does (401 for a bad token, 403 for a kind
  /// or tenant the caller may not read), and the monitoring routes follow
  /// `live_stream_config::monitor` (viz/monitor_access.hpp). The API may
  /// answer later (viz/twin_api.hpp); everything else answers at once.
  async_http_handler wrap(async_http_handler api) const;
  async_http_handler wrap(http_handler api) const;

private:
  bool send(connection_id id, const std::string& payload,
            bool binary) override;
  bool send_shared(connection_id id,
                   const std::shared_ptr<const std::string>& payload,
                   bool binary) override;
  size_t buffered(connection_id id) const override;
  void close(connection_id id, uint16_t code,
             const std::string& reason) override;

  http_server& server_;
  live_stream_config config_;
  std::unique_ptr<stream_hub> hub_;
  std::shared_ptr<delta_inbox> inbox_;
  std::shared_ptr<stream_waker> waker_;
  actors::twin_actor twin_;
  actors::subscriber_actor bridge_;
};

} // namespace citytwin::viz
