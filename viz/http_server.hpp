// viz/http_server.hpp
#pragma once

// A plain interface over WebSocket++'s HTTP and WebSocket handling.
// WebSocket++ 0.8.2 headers do not compile as C++20, so they stay inside
// http_server.cpp (built as C++17) and this header uses nothing newer than
// C++17.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace citytwin::viz {

struct http_request {
  std::string method;
  std::string path;  ///< without the query string
  std::string query; ///< after '?', undecoded
  std::string body;
  /// The `Authorization` header; empty when absent.
  std::string authorization;
  /// Set by an access layer in front of the API (`live_stream::wrap`):
  /// the caller may see the counts of these entity kinds only (bits as in
  /// `kind_bit`, viz/stream_access.hpp) and no other counter. nullopt:
  /// everything.
  std::optional<uint32_t> open_kinds;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

/// Answers one request at once; called on the server's own thread.
using http_handler = std::function<http_response(const http_request&)>;

/// Computes a response; run on the server's thread.
using http_answer = std::function<http_response()>;

/// The answer to one HTTP request, given once, now or later, from any
/// thread. Copies share the request: the first answer counts, later ones
/// are ignored. A request that waits (`defer`) and loses its last reply
/// unanswered is answered 503.
class http_reply {
public:
  /// Takes an answer to send; thread-safe.
  using answer_function = std::function<void(http_answer)>;
  /// Admits the request to wait; see `defer`.
  using defer_function = std::function<bool()>;

  http_reply(answer_function answer, defer_function defer);

  /// Answers with `res`; from any thread.
  void operator()(http_response res) const;

  /// Answers with what `make` returns, computed on the server's thread:
  /// for answers that read what only that thread may touch.
  void answer_with(http_answer make) const;

  /// Lets the request wait for its answer after the handler returns,
  /// without holding the server's thread. Call it on the server's thread
  /// before the handler returns and before starting the work that will
  /// answer. False when too many requests wait already: the server has
  /// then answered 503 and counted the refusal, and the caller must start
  /// nothing.
  [[nodiscard]] bool defer() const;

  /// This reply with `edit` applied to the answer on the server's thread,
  /// just before it is sent.
  http_reply map(std::function<void(http_response&)> edit) const;

private:
  answer_function answer_;
  defer_function defer_;
};

/// Answers one request, now or later through `reply`; called on the
/// server's own thread, which it must never block.
using async_http_handler
  = std::function<void(const http_request&, http_reply reply)>;

/// An `async_http_handler` that answers every request at once with
/// `handler` (none if `handler` is empty).
async_http_handler to_async(http_handler handler);

/// Identifies one WebSocket connection for the lifetime of a server.
using connection_id = uint64_t;

/// WebSocket close codes (RFC 6455, section 7.4.1) the stream uses.
namespace close_code {
constexpr uint16_t normal = 1000;
constexpr uint16_t going_away = 1001;
constexpr uint16_t protocol_error = 1002;
constexpr uint16_t unsupported_data = 1003;
constexpr uint16_t invalid_payload = 1007;
constexpr uint16_t policy_violation = 1008;
constexpr uint16_t message_too_big = 1009;
constexpr uint16_t try_again_later = 1013;
} // namespace close_code

/// Callbacks of the WebSocket side, all called on the server's thread.
/// Upgrades are accepted only on paths for which `accepts` is true (the
/// rest get HTTP 404).
struct ws_handler {
  std::function<bool(const std::string& path)> accepts;
  /// A connection opened; `query` is everything after '?', undecoded.
  std::function<void(connection_id, const std::string& path,
                      const std::string& query)>
    on_open;
  /// A complete message arrived.
  std::function<void(connection_id, const std::string& payload, bool binary)>
    on_message;
  /// An open connection closed or failed; `code` is the close code this
  /// server sent or received (1006 if the connection just dropped).
  std::function<void(connection_id, uint16_t code)> on_close;
  /// An upgrade or an open connection failed at the protocol level
  /// (malformed frames, bad handshakes); counted, not answered.
  std::function<void()> on_protocol_error;
};

/// Counters of the server's own limits (viz/viewer_limits.hpp).
struct http_server_stats {
  uint64_t accept_backoffs = 0;     ///< accepts paused: no descriptors
  uint64_t refused_connections = 0; ///< closed: max_connections open
  uint64_t accept_errors = 0;       ///< other failed accepts
  uint64_t open_connections = 0;    ///< TCP connections now open
  uint64_t refused_requests = 0;    ///< 503: max_pending_requests waited
  uint64_t pending_requests = 0;    ///< HTTP requests now waiting
};

/// An HTTP/1.0, HTTP/1.1 and WebSocket server on one address, serving from a
/// background thread. Unless noted, member functions other than
/// start/stop must be called on the server's thread (from a callback or a
/// posted task).
class http_server {
public:
  explicit http_server(http_handler handler);
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Replaces the HTTP handler; call before `start` or on the server's
  /// thread.
  void set_handler(http_handler handler);
  void set_handler(async_http_handler handler);

  /// Enables WebSocket connections; call before `start`.
  void set_ws_handler(ws_handler handler);

  /// Messages from clients larger than this close the connection with
  /// 1009; call before `start`.
  void set_max_message_size(size_t bytes);

  /// HTTP request bodies larger than this are refused before they are
  /// read (WebSocket++ answers and closes; the failure is counted as a
  /// protocol error); call before `start`. WebSocket++'s own default is
  /// 32 MB.
  void set_max_http_body_size(size_t bytes);

  /// At most `max_connections` open TCP connections (more are closed right
  /// after accept), and a pause of `backoff` after an accept fails for
  /// lack of descriptors; call before `start`.
  void set_limits(size_t max_connections, std::chrono::milliseconds backoff);

  /// At most `max_pending` HTTP requests wait for a deferred answer (see
  /// `http_reply::defer`); more are answered 503 at once. Call before
  /// `start`.
  void set_max_pending_requests(size_t max_pending);

  /// Binds `host:port` (port 0: any free port) and starts serving. On
  /// failure returns false and sets `error`.
  bool start(const std::string& host, uint16_t port, std::string& error);

  /// The bound port, once started.
  uint16_t port() const;

  /// Stops accepting, answers waiting HTTP requests 503, closes
  /// connections and joins the thread. Answers given later are dropped.
  void stop();

  /// Runs `task` on the server's thread soon. Thread-safe, never blocks.
  void post(std::function<void()> task);

  /// Runs `task` on the server's thread every `period` until `stop`.
  void every(std::chrono::milliseconds period, std::function<void()> task);

  /// Queues a message; false if the connection is gone.
  bool send(connection_id id, const std::string& payload, bool binary);

  /// Queues a message built once for every connection it is sent to:
  /// WebSocket++ queues the same encoded frame on each of them (the
  /// bytes still count in each one's `buffered`). Keep `payload` alive
  /// and unchanged while it is in use; false if the connection is gone.
  bool send_shared(connection_id id,
                   const std::shared_ptr<const std::string>& payload,
                   bool binary);

  /// Counters of the accept loop; thread-safe.
  http_server_stats stats() const;

  /// Bytes queued on a connection and not yet written to its socket.
  size_t buffered(connection_id id) const;

  /// Starts the closing handshake of a connection.
  void close(connection_id id, uint16_t code, const std::string& reason);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace citytwin::viz
