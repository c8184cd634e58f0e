// viz/http_server.cpp (compiled as C++17, see http_server.hpp)
#include "viz/http_server.hpp"

#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

#include <thread>

namespace citytwin::viz {

namespace {

using server_type = websocketpp::server<websocketpp::config::asio>;

} // namespace

struct http_server::impl {
  http_handler handler;
  server_type server;
  std::thread thread;
  uint16_t port = 0;
  bool running = false;
};

http_server::http_server(http_handler handler) : impl_(new impl) {
  impl_->handler = std::move(handler);
  auto& srv = impl_->server;
  srv.clear_access_channels(websocketpp::log::alevel::all);
  srv.clear_error_channels(websocketpp::log::elevel::all);
  srv.set_http_handler([this](websocketpp::connection_hdl hdl) {
    auto con = impl_->server.get_con_from_hdl(hdl);
    http_request req;
    req.method = con->get_request().get_method();
    const auto& uri = con->get_resource();
    auto question = uri.find('?');
    req.path = uri.substr(0, question);
    if (question != std::string::npos)
      req.query = uri.substr(question + 1);
    req.body = con->get_request_body();
    http_response res;
    try {
      res = impl_->handler(req);
    } catch (const std::exception& e) {
      res = {500, "application/json",
             std::string{"{\"error\":\"internal error: "} + e.what() + "\"}"};
    }
    con->set_status(static_cast<websocketpp::http::status_code::value>(
      res.status));
    con->replace_header("Content-Type", res.content_type);
    con->replace_header("Cache-Control", "no-store");
    con->set_body(res.body);
  });
}

http_server::~http_server() {
  stop();
}

bool http_server::start(const std::string& host, uint16_t port,
                        std::string& error) {
  auto& srv = impl_->server;
  try {
    srv.init_asio();
    srv.set_reuse_addr(true);
    srv.listen(host, std::to_string(port));
    websocketpp::lib::asio::error_code ec;
    auto endpoint = srv.get_local_endpoint(ec);
    if (ec) {
      error = ec.message();
      return false;
    }
    impl_->port = endpoint.port();
    srv.start_accept();
  } catch (const std::exception& e) {
    error = "cannot listen on " + host + ":" + std::to_string(port) + ": "
            + e.what();
    return false;
  }
  impl_->running = true;
  impl_->thread = std::thread([this] { impl_->server.run(); });
  return true;
}

uint16_t http_server::port() const {
  return impl_->port;
}

void http_server::stop() {
  if (!impl_ || !impl_->running)
    return;
  impl_->running = false;
  websocketpp::lib::error_code ec;
  impl_->server.stop_listening(ec);
  impl_->server.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

} // namespace citytwin::viz
