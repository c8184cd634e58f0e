// viz/stream_hub.hpp
#pragma once

#include "twin/entity_state.hpp"
#include "viz/city_layout.hpp"
#include "viz/http_server.hpp"
#include "viz/layout_cache.hpp"
#include "viz/stream_access.hpp"
#include "viz/stream_filter.hpp"
#include "viz/stream_stats.hpp"
#include "viz/viewer_limits.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace citytwin::viz {

/// Where the hub's frames go: the WebSocket server, or a fake in tests.
class stream_transport {
public:
  virtual ~stream_transport() = default;
  virtual bool send(connection_id id, const std::string& payload, bool binary)
    = 0;
  /// Queues a frame that other clients may get too; a transport may store
  /// it once for all of them.
  virtual bool send_shared(connection_id id,
                           const std::shared_ptr<const std::string>& payload,
                           bool binary) {
    return send(id, *payload, binary);
  }
  virtual size_t buffered(connection_id id) const = 0;
  virtual void close(connection_id id, uint16_t code,
                     const std::string& reason)
    = 0;
};

/// Limits and access rules of the viewer stream; defaults in
/// viz/viewer_limits.hpp.
struct stream_config {
  size_t max_clients = viewer_limits::max_viewers;
  /// The cap of bytes queued for one client (every frame counts): no
  /// frame is queued while its socket buffer holds this many; it catches
  /// up with the newest states later, and a filter change waits meanwhile.
  size_t high_water_bytes = viewer_limits::max_queued_bytes;
  /// States per frame, during the snapshot and afterwards.
  size_t max_batch = viewer_limits::max_batch;
  /// Bytes of frames one `flush` encodes at most before it returns, so
  /// that snapshots and catch-ups never hold up new deltas for long.
  size_t flush_budget_bytes = viewer_limits::flush_budget_bytes;
  /// A client at or above the cap for this long is closed (1008).
  std::chrono::milliseconds stall_timeout = viewer_limits::stall_timeout;
  /// Largest message a client may send.
  size_t max_message_bytes = viewer_limits::max_message_bytes;
  /// Who may see which kinds; empty: everybody sees everything, and a
  /// `tenant` parameter must name the served city.
  stream_access access;
};

/// The viewer stream's logic, run on the WebSocket server's thread: keeps
/// the latest state of every entity, answers each new client with a
/// consistent snapshot (layout, then states, then `snapshot_end`) and
/// then its filtered deltas. Clients in line share each delta frame with
/// every client of the same filter. A client that falls behind (full
/// socket, snapshot) keeps only a cursor into the log of changes (one
/// entry per entity, at its latest version) and catches up with the
/// newest state of what changed, so a slow client costs nothing per delta
/// and never holds up the twin or the other clients. Viewers that fell
/// behind together share their catch-up frames as well.
///
/// Frames: text JSON for control (`hello`, `layout`, `snapshot_end`,
/// `error`); states and deltas as binary Protobuf `DeltaBatch` frames, or
/// as text `{"type":"deltas","snapshot":bool,"deltas":[..]}` in JSON mode.
/// Clients may send `{"type":"filter","query":"kinds=..&bbox=.."}` to
/// change their filter, which restarts their snapshot.
///
/// With `stream_config::access`, a client sees only the kinds its
/// `token` may read in the served tenant; its token and tenant are fixed
/// when the stream opens, and a token that expires closes the stream.
class stream_hub {
public:
  stream_hub(std::shared_ptr<const city_layout> layout,
             stream_transport& transport, stream_config config = {});

  /// Sets an entity's state before any client connects (initial states).
  void seed(const twin::entity_state& state);

  /// A client connected with this query string.
  void open(connection_id id, const std::string& query);

  /// A client sent a message.
  void message(connection_id id, const std::string& payload, bool binary);

  /// A client went away; `code` as reported by the server.
  void closed(connection_id id, uint16_t code);

  /// A malformed frame or handshake the server rejected.
  void protocol_error();

  /// Deltas from the twin: updates the latest states, sends them to the
  /// clients that are in line, then `flush`es. Returns what `flush` does.
  bool apply(const twin::delta_batch& batch);

  /// Sends clients below the high-water mark what they miss (snapshot,
  /// changes since their last frame), up to the byte budget; closes
  /// stalled and expired clients. True if work was left for another call
  /// (the caller posts one, so other events interleave).
  bool flush();

  /// True if the last `flush` left work it could do now.
  bool backlog() const {
    return backlog_;
  }

  const stream_stats& stats() const {
    return stats_;
  }

  /// Counts a refused request (401 or 403) of the viewer port's routes.
  void count_http_refusal(int status) {
    ++(status == 401 ? stats_.http_unauthorized : stats_.http_forbidden);
  }

  /// Layouts rendered so far (the rest came from the cache).
  size_t num_layout_renders() const {
    return layouts_.num_renders();
  }

  size_t num_clients() const {
    return clients_.size();
  }

private:
  struct client {
    stream_filter filter;
    /// Kinds the client may read at all (its grant).
    uint32_t allowed = all_kinds_mask();
    std::optional<int64_t> expires_ms;
    std::string principal;
    bool closing = false; ///< refused while open; sends nothing more
    /// Every change up to this version that the filter accepts was sent
    /// (or is in the snapshot under way).
    uint64_t cursor = 0;
    /// A new filter waits for the client to drain below the cap.
    bool restart_pending = false;
    bool in_snapshot = true;
    /// The snapshot walks the layout's items from here, taking each
    /// entity's latest state when it is sent rather than copying them
    /// all at once (a city's worth of states per client).
    size_t snapshot_next = 0;
    size_t snapshot_size = 0;
    size_t bytes_queued = 0; ///< every frame sent, for trim accounting
    std::chrono::steady_clock::time_point blocked_since{};
  };

  /// A delta of an entity on the map, with where it is and its version.
  struct placed {
    const twin::delta* delta;
    const geo_box* box;
    uint64_t version;
  };

  /// An entity's newest state and the version of its last change (0: as
  /// seeded).
  struct versioned_state {
    twin::entity_state state;
    uint64_t version = 0;
  };

  void start_snapshot(connection_id id, client& c);
  /// Sends what `filter` accepts of `known` to the clients `ids`, which
  /// were in line at version `before`, each frame encoded once; a client
  /// over its cap keeps its cursor and catches up later.
  void send_live(const std::vector<connection_id>& ids,
                 const stream_filter& filter, const std::vector<placed>& known,
                 uint64_t before);
  /// The newest states of entities changed after the client's cursor that
  /// its filter accepts, at most a frame's worth; advances the cursor.
  twin::delta_batch next_catch_up_batch(client& c);
  /// A catch-up frame of one `flush` call, for every client of a filter
  /// that stood at the same cursor.
  struct catch_up_frame {
    std::shared_ptr<const std::string> frame; ///< null: nothing to send
    uint64_t cursor_after = 0;
    size_t states = 0;
  };
  using catch_up_cache
    = std::map<std::pair<std::string, uint64_t>, catch_up_frame>;

  /// At most one frame for one client: bytes sent, and whether it has
  /// more that could be sent now.
  std::pair<size_t, bool> flush_step(connection_id id, client& c,
                                     catch_up_cache& catch_ups);
  size_t send_batch(connection_id id, client& c,
                    const twin::delta_batch& batch, bool snapshot);
  bool over_cap(connection_id id, client& c);
  twin::delta_batch next_snapshot_batch(client& c);
  void skip_unsent(client& c) const;
  void send_text(connection_id id, const std::string& text);
  void count_json_refusal(twin::json_refusal r);
  std::string encode(frame_format format, bool snapshot,
                     const twin::delta_batch& batch) const;
  void reject(connection_id id, uint16_t code, const std::string& reason);
  void refuse(connection_id id, const stream_refusal& refusal);
  std::variant<stream_grant, stream_refusal>
  authorize(const stream_filter& filter) const;
  std::optional<stream_refusal> check_kinds(const client& c,
                                            const stream_filter& f) const;
  bool expired(connection_id id, client& c, int64_t now_ms);

  std::shared_ptr<const city_layout> layout_;
  layout_cache layouts_;
  stream_transport& transport_;
  stream_config config_;
  std::unordered_map<twin::entity_id, versioned_state> states_;
  /// version -> entity: the log of changes, each entity at its latest.
  std::map<uint64_t, twin::entity_id> changes_;
  uint64_t version_ = 0;
  bool backlog_ = false;
  std::unordered_map<connection_id, client> clients_;
  stream_stats stats_;
};

} // namespace citytwin::viz
