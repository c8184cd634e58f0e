// viz/stream_hub.hpp
#pragma once

#include "twin/entity_state.hpp"
#include "viz/city_layout.hpp"
#include "viz/delta_queue.hpp"
#include "viz/http_server.hpp"
#include "viz/stream_access.hpp"
#include "viz/stream_filter.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace citytwin::viz {

/// Where the hub's frames go: the WebSocket server, or a fake in tests.
class stream_transport {
public:
  virtual ~stream_transport() = default;
  virtual bool send(connection_id id, const std::string& payload, bool binary)
    = 0;
  virtual size_t buffered(connection_id id) const = 0;
  virtual void close(connection_id id, uint16_t code,
                     const std::string& reason)
    = 0;
};

/// Limits and access rules of the viewer stream.
struct stream_config {
  size_t max_clients = 1000;
  /// Stop sending to a client while this many bytes wait in its socket
  /// buffer; its deltas coalesce meanwhile.
  size_t high_water_bytes = 256 * 1024;
  /// States per frame, during the snapshot and afterwards.
  size_t max_batch = 1000;
  /// A client above the high-water mark for this long is closed (1008).
  std::chrono::milliseconds stall_timeout = std::chrono::seconds(30);
  /// Largest message a client may send.
  size_t max_message_bytes = 4096;
  /// Who may see which kinds; empty: everybody sees everything, and a
  /// `tenant` parameter must name the served city.
  stream_access access;
};

/// Counters of the viewer stream.
struct stream_stats {
  uint64_t clients_opened = 0;
  uint64_t clients_open = 0;
  uint64_t frames_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t deltas_sent = 0;
  uint64_t deltas_in = 0;       ///< deltas from the twin
  uint64_t deltas_coalesced = 0; ///< merged in per-client queues
  uint64_t rejected_filters = 0; ///< connections closed for a bad filter
  uint64_t bad_messages = 0;     ///< client messages we could not use
  uint64_t oversized = 0;        ///< connections closed with 1009
  uint64_t protocol_errors = 0;  ///< malformed frames or handshakes
  uint64_t too_many_clients = 0;
  uint64_t stalled = 0; ///< closed for not reading
  uint64_t unknown_entities = 0;
  uint64_t refused_unknown_token = 0; ///< closed: token matches nothing
  uint64_t refused_expired_token = 0; ///< closed: token expired (ever)
  uint64_t refused_tenant = 0;        ///< closed: not the served tenant
  uint64_t refused_no_access = 0;     ///< closed: kinds it may not read
};

nlohmann::json to_json(const stream_stats& stats);

/// The viewer stream's logic, run on the WebSocket server's thread: keeps
/// the latest state of every entity, answers each new client with a
/// consistent snapshot (layout, then states, then `snapshot_end`) and
/// then its filtered deltas. Every client has its own coalescing queue,
/// so a slow one receives the newest state per entity and never holds up
/// the twin or the other clients.
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

  /// Deltas from the twin: updates the cache and every client's queue,
  /// then sends what clients can take.
  void apply(const twin::delta_batch& batch);

  /// Sends queued states to clients below the high-water mark, finishes
  /// snapshots and closes stalled clients.
  void flush();

  const stream_stats& stats() const {
    return stats_;
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
    delta_queue queue;
    bool in_snapshot = true;
    size_t snapshot_size = 0;
    std::chrono::steady_clock::time_point blocked_since{};
  };

  void start_snapshot(connection_id id, client& c);
  void flush(connection_id id, client& c);
  void send_text(connection_id id, const std::string& text);
  std::string encode(const client& c, const twin::delta_batch& batch) const;
  void reject(connection_id id, uint16_t code, const std::string& reason);
  void refuse(connection_id id, const stream_refusal& refusal);
  std::variant<stream_grant, stream_refusal>
  authorize(const stream_filter& filter) const;
  std::optional<stream_refusal> check_kinds(const client& c,
                                            const stream_filter& f) const;
  bool expired(connection_id id, client& c, int64_t now_ms);

  std::shared_ptr<const city_layout> layout_;
  stream_transport& transport_;
  stream_config config_;
  std::unordered_map<twin::entity_id, twin::entity_state> states_;
  std::unordered_map<connection_id, client> clients_;
  stream_stats stats_;
};

} // namespace citytwin::viz
