// viz/http_server.hpp
#pragma once

// A plain interface over WebSocket++'s HTTP handling. WebSocket++ 0.8.2
// headers do not compile as C++20, so they stay inside http_server.cpp
// (built as C++17) and this header uses nothing newer than C++17.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace citytwin::viz {

struct http_request {
  std::string method;
  std::string path;  ///< without the query string
  std::string query; ///< after '?', undecoded
  std::string body;
};

struct http_response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

/// Answers one request; called on the server's own thread.
using http_handler = std::function<http_response(const http_request&)>;

/// An HTTP/1.1 server on one address, serving from a background thread.
class http_server {
public:
  explicit http_server(http_handler handler);
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds `host:port` (port 0: any free port) and starts serving. On
  /// failure returns false and sets `error`.
  bool start(const std::string& host, uint16_t port, std::string& error);

  /// The bound port, once started.
  uint16_t port() const;

  /// Stops accepting, closes connections and joins the thread.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace citytwin::viz
