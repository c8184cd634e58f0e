// adapters/ngsi/http_listener.hpp
#pragma once

// An HTTP/1.1 server with keep-alive on Boost.Beast, for the NGSI-LD API.
//
// Why not WebSocket++'s HTTP handler, which serves the viewer: WebSocket++
// 0.8.2 closes the TCP connection after every plain HTTP response
// (connection_impl.hpp, `http_connection_ended`), so each API call would pay
// a TCP handshake, and it cannot tell a chunked upload from an empty one.
// NGSI-LD clients keep connections open; Beast (part of Boost 1.74, already
// a dependency) parses HTTP/1.1 fully, keeps connections alive and upgrades
// to WebSocket on the same port. Beast stays inside http_listener.cpp.

#include "twin/percent.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace citytwin::ngsi {

/// One request, decoded from the wire. Header names are lower case.
struct http_request {
  std::string method;
  std::string path;  ///< without the query string, undecoded
  std::string query; ///< after '?', undecoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;      ///< the peer's IP address
  bool chunked = false;    ///< sent with Transfer-Encoding: chunked
  bool has_length = false; ///< carried a Content-Length header

  /// The first header of that (lower-case) name, if any.
  const std::string* header(std::string_view name) const;
};

struct http_response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

/// Gives the answer to one request; call it once, from any thread (the
/// listener moves the answer onto the connection's I/O thread). Dropped
/// without a call, the client gets 503.
using reply_fn = std::function<void(http_response)>;

/// Starts answering one request on an I/O thread, without blocking: work
/// that needs an actor goes to the actor, which calls `reply` when done.
using request_handler = std::function<void(http_request, reply_fn)>;

/// A request_handler that has its answer at once.
request_handler
answer_at_once(std::function<http_response(const http_request&)> answer);

/// A WebSocket session's outgoing side, safe to use from any thread.
class ws_sink {
public:
  virtual ~ws_sink() = default;
  /// Queues a text message unless the session is closed or already holds
  /// `limit` bytes unsent; false means "not taken, keep it".
  virtual bool try_send(std::string text, size_t limit) = 0;
  /// True once the peer is gone or the session closed.
  virtual bool closed() const = 0;
  /// Starts the closing handshake.
  virtual void close(uint16_t code, std::string reason) = 0;
};

/// The answer to a WebSocket upgrade: a refusal (an error response), or
/// the hook that receives the accepted session.
struct ws_decision {
  std::optional<http_response> refusal;
  std::function<void(std::shared_ptr<ws_sink>)> on_open;
};

/// Decides on WebSocket upgrades, like request_handler: without blocking,
/// calling `decide` once from any thread.
struct ws_upgrade_handler {
  std::function<void(http_request, std::function<void(ws_decision)>)> check;
};

struct listener_config {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  size_t threads = 1;
  size_t max_body_bytes = 1 << 20;       ///< larger bodies get 413
  size_t max_header_bytes = 16 << 10;    ///< larger headers get 431
  std::chrono::seconds idle_timeout{30}; ///< keep-alive connections
  /// Connections (HTTP and WebSocket) open at once; a new one beyond
  /// gets 503 and is closed, so descriptors stay available to the rest of
  /// the server.
  size_t max_connections = 4096;
  /// How long accepting pauses when the process is out of descriptors
  /// (EMFILE): re-arming at once would spin on the same error.
  std::chrono::milliseconds accept_backoff{100};
};

/// What the listener refused or waited for, since start.
struct listener_stats {
  size_t open_connections = 0;
  uint64_t refused_connections = 0; ///< over max_connections
  uint64_t accept_backoffs = 0;     ///< out of descriptors
};

/// Serves HTTP on `threads` I/O threads until `stop`.
class http_listener {
public:
  http_listener(listener_config config, request_handler handler,
                ws_upgrade_handler ws = {});
  ~http_listener();

  http_listener(const http_listener&) = delete;
  http_listener& operator=(const http_listener&) = delete;

  /// Binds and starts; false and a message on failure.
  bool start(std::string& error);

  /// The bound port once started.
  uint16_t port() const;

  listener_stats stats() const;

  /// Stops accepting, closes connections, joins the threads.
  void stop();

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

/// Splits and percent-decodes `a=1&b=2`; '+' stays '+' (NGSI-LD q uses it
/// rarely, and clients encode spaces as %20). nullopt on bad escapes.
std::optional<std::vector<std::pair<std::string, std::string>>>
parse_query(std::string_view query);

// Paths and query values decode with twin's percent_decode: '+' stays
// '+', nullopt on bad escapes.
using twin::percent_decode;

} // namespace citytwin::ngsi
