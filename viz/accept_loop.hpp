// viz/accept_loop.hpp (C++17 only, see ws_server_config.hpp)
#pragma once

#include "viz/ws_server_config.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace citytwin::viz::detail {

/// Counters of the accept loop; read from any thread.
struct accept_counters {
  /// Accepts that failed for lack of descriptors or memory, each followed
  /// by a pause.
  std::atomic<uint64_t> backoffs{0};
  /// Connections closed at once because `max_connections` were open.
  std::atomic<uint64_t> refused{0};
  /// Other failed accepts (a client that reset before we took it).
  std::atomic<uint64_t> errors{0};
  /// Connections accepted and not yet terminated.
  std::atomic<uint64_t> open{0};
};

/// Our own accept loop for a WebSocket++ server, replacing the library's
/// `start_accept`: WebSocket++ 0.8.2 re-arms accept at once after any
/// failure (`server::handle_accept`), so with the descriptors exhausted
/// (EMFILE) it spins a core until connections close. This loop pauses
/// `backoff` after such a failure, and closes connections beyond
/// `max_connections` right after accepting them, so a flood of idle
/// sockets cannot take every descriptor of the process. Accepted
/// connections are handed to WebSocket++ exactly as its own loop does
/// (`connection::start`). Runs on the server's thread.
class accept_loop {
public:
  accept_loop(server_type& server, size_t max_connections,
              std::chrono::milliseconds backoff);

  /// Binds and listens on `host:port` (0: any free port); false and
  /// `error` on failure.
  bool listen(const std::string& host, uint16_t port, std::string& error);

  /// The bound port, after `listen`.
  uint16_t port() const {
    return port_;
  }

  /// Arms the first accept; before the server runs or on its thread.
  void start();

  /// Closes the listening socket and cancels a pending pause; on the
  /// server's thread.
  void stop();

  const accept_counters& counters() const {
    return *counters_;
  }

private:
  void accept_next();
  void accepted(const connection_ptr& con,
                const websocketpp::lib::asio::error_code& ec);

  server_type& server_;
  size_t max_connections_;
  std::chrono::milliseconds backoff_;
  websocketpp::lib::asio::ip::tcp::acceptor acceptor_;
  websocketpp::lib::asio::steady_timer timer_;
  uint16_t port_ = 0;
  bool stopped_ = false;
  // Shared with the termination handlers of open connections, which may
  // outlive this loop when the server shuts down.
  std::shared_ptr<accept_counters> counters_;
};

} // namespace citytwin::viz::detail
