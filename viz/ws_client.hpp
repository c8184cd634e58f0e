// viz/ws_client.hpp
#pragma once

// A blocking WebSocket client for scripts and tests (`citytwin watch`).
// Like http_server.hpp, a plain C++17 interface: WebSocket++ stays inside
// ws_client.cpp.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace citytwin::viz {

/// How a client session ended.
struct ws_outcome {
  bool connected = false;
  uint16_t close_code = 0; ///< 0 if we closed first or never connected
  std::string close_reason;
  std::string error; ///< a connection failure, or empty
};

/// Receives one message; return false to close the connection normally.
using ws_receiver = std::function<bool(const std::string& payload,
                                       bool binary)>;

/// Connects to `url` (ws://host:port/path?query), calls `receive` for
/// every message until it returns false, the server closes, `timeout`
/// passes (0: none) or no message came for `idle_timeout` (0: none), and
/// returns how it ended. Blocks the caller.
ws_outcome run_ws_client(const std::string& url, const ws_receiver& receive,
                         std::chrono::milliseconds timeout,
                         std::chrono::milliseconds idle_timeout
                         = std::chrono::milliseconds{0});

} // namespace citytwin::viz
