// viz/ws_server_config.hpp (C++17 only; included by the WebSocket++
// translation units of citytwin_viz_http, never by C++20 code)
#pragma once

#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include <cstddef>

namespace citytwin::viz::detail {

/// WebSocket++ 0.8.2's request parser refuses every request without a
/// `Host` header with 400 ("Incomplete Request", http/impl/request.hpp),
/// but HTTP/1.0 (RFC 1945) has no such header, so `curl -0`, `ab` and
/// old monitoring probes all got 400. This parser gives an HTTP/1.0
/// request without one an implied `Host: localhost` just before the blank
/// line that ends the headers, then lets the library go on unchanged;
/// HTTP/1.1 still needs its Host (RFC 7230, 5.4), and WebSocket
/// handshakes still need HTTP/1.1.
///
/// WebSocket++ calls `consume` through the config's `request_type`, so
/// hiding the base's (non-virtual) member is enough.
class lenient_request : public websocketpp::http::parser::request {
public:
  using base = websocketpp::http::parser::request;

  size_t consume(const char* buf, size_t len) {
    if (headers_done_)
      return base::consume(buf, len);
    // The base parser works line by line on "\r\n"; a line that starts
    // with '\r' is the blank one that ends the headers. Feed everything
    // before it, add the implied Host, then feed the rest.
    for (size_t i = 0; i < len; ++i) {
      if (at_line_start_ && buf[i] == '\r') {
        auto result = base::consume(buf, i);
        headers_done_ = true;
        imply_host();
        return result + base::consume(buf + i, len - i);
      }
      at_line_start_ = buf[i] == '\n';
    }
    return base::consume(buf, len);
  }

private:
  void imply_host() {
    if (!get_method().empty() && get_version() == "HTTP/1.0"
        && get_header("Host").empty())
      replace_header("Host", "localhost");
  }

  bool at_line_start_ = true;
  bool headers_done_ = false;
};

/// WebSocket++'s asio configuration with the lenient request parser.
struct server_config : websocketpp::config::asio {
  using type = server_config;
  using base = websocketpp::config::asio;
  using request_type = lenient_request;

  struct transport_config : base::transport_config {
    using request_type = lenient_request;
  };

  using transport_type
    = websocketpp::transport::asio::endpoint<transport_config>;
};

using server_type = websocketpp::server<server_config>;
using connection_ptr = server_type::connection_ptr;
using message_ptr = server_type::message_ptr;

} // namespace citytwin::viz::detail
