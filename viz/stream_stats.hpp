// viz/stream_stats.hpp
#pragma once

#include "twin/json_reader.hpp"
#include "viz/http_server.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <string>

namespace citytwin::viz {

/// Counters of the viewer stream. Refusals are listed in
/// `viz/viewer_limits.hpp` and rendered by `render_prometheus`.
struct stream_stats {
  uint64_t clients_opened = 0;
  uint64_t clients_open = 0;
  uint64_t frames_sent = 0;
  /// Frames encoded; below frames_sent when viewers share frames.
  uint64_t frames_encoded = 0;
  uint64_t bytes_sent = 0;
  uint64_t deltas_sent = 0;
  uint64_t deltas_in = 0;        ///< deltas from the twin
  /// Frames and states sent to clients catching up after falling behind
  /// (newest state per entity; older changes were never queued).
  uint64_t catch_up_frames = 0;
  uint64_t deltas_caught_up = 0;
  uint64_t rejected_filters = 0; ///< connections closed for a bad filter
  uint64_t bad_messages = 0;     ///< client messages we could not use
  uint64_t oversized = 0;        ///< connections closed with 1009
  uint64_t protocol_errors = 0;  ///< malformed frames or handshakes
  uint64_t too_many_clients = 0; ///< closed with 1013: max viewers open
  uint64_t stalled = 0;          ///< closed for not reading
  uint64_t unknown_entities = 0;
  uint64_t refused_unknown_token = 0; ///< closed: token matches nothing
  uint64_t refused_expired_token = 0; ///< closed: token expired (ever)
  uint64_t refused_tenant = 0;        ///< closed: not the served tenant
  uint64_t refused_no_access = 0;     ///< closed: kinds it may not read
  /// Filter messages accepted from open viewers.
  uint64_t filter_changes = 0;
  /// Filter changes that waited until the viewer read what it had queued.
  uint64_t deferred_filters = 0;
  /// Bytes of frames queued for viewers that have left (trim accounting).
  uint64_t bytes_released = 0;
  /// HTTP monitoring routes refused: no or a bad token (401), a token
  /// without the monitor or admin role (403).
  uint64_t http_unauthorized = 0;
  uint64_t http_forbidden = 0;
  /// Client messages refused by the JSON reader, by `json_refusal`.
  std::array<uint64_t, 5> json_refusals{};
};

nlohmann::json to_json(const stream_stats& stats);

/// The viewer port's counters in Prometheus text format, among them
/// `citytwin_viewer_refusals_total{reason="..."}` for every refusal of
/// the stream and of the server (`server`).
std::string render_prometheus(const stream_stats& stats,
                              const http_server_stats& server);

} // namespace citytwin::viz
