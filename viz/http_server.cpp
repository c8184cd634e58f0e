// viz/http_server.cpp (compiled as C++17, see http_server.hpp)
#include "viz/http_server.hpp"

#include "viz/accept_loop.hpp"
#include "viz/shared_frames.hpp"
#include "viz/viewer_limits.hpp"
#include "viz/ws_server_config.hpp"

#include <atomic>
#include <map>
#include <set>
#include <thread>
#include <vector>

namespace citytwin::viz {

namespace {

using detail::connection_ptr;
using detail::server_type;

// How long `stop` waits for clients to answer the closing handshake.
constexpr auto close_grace = std::chrono::milliseconds(500);
constexpr auto close_poll = std::chrono::milliseconds(10);

std::string path_of(const std::string& resource) {
  return resource.substr(0, resource.find('?'));
}

std::string query_of(const std::string& resource) {
  auto question = resource.find('?');
  return question == std::string::npos ? std::string{}
                                       : resource.substr(question + 1);
}

} // namespace

struct http_server::impl {
  http_handler handler;
  ws_handler ws;
  server_type server;
  size_t max_connections = viewer_limits::max_connections;
  std::chrono::milliseconds accept_backoff = viewer_limits::accept_backoff;
  std::unique_ptr<detail::accept_loop> acceptor;
  std::thread thread;
  std::atomic<bool> running{false};
  connection_id next_id = 1;
  // Open WebSocket connections; touched on the server thread only.
  std::map<connection_id, connection_ptr> connections;
  std::map<const void*, connection_id> ids;
  // Connections this server's owner asked to close (`close`, `stop`); any
  // other local close is WebSocket++ failing a client's frames.
  std::set<connection_id> closing;
  std::atomic<size_t> num_open{0};
  // Frames of `send_shared`, encoded once.
  detail::shared_frames shared;

  // Tasks run by `every`; owned here so timers can point at them.
  struct periodic {
    std::chrono::milliseconds period;
    std::function<void()> task;
  };
  std::vector<std::unique_ptr<periodic>> periodic_tasks;

  void arm(periodic* p) {
    server.set_timer(p->period.count(), [this, p](const auto& ec) {
      if (ec || !running)
        return;
      p->task();
      arm(p);
    });
  }

  connection_ptr find(connection_id id) const {
    auto i = connections.find(id);
    return i == connections.end() ? nullptr : i->second;
  }

  void serve_http(websocketpp::connection_hdl hdl) {
    auto con = server.get_con_from_hdl(hdl);
    http_request req;
    req.method = con->get_request().get_method();
    req.path = path_of(con->get_resource());
    req.query = query_of(con->get_resource());
    req.body = con->get_request_body();
    req.authorization = con->get_request_header("Authorization");
    http_response res;
    try {
      if (!handler)
        throw std::runtime_error("no handler");
      res = handler(req);
    } catch (const std::exception& e) {
      res = {500, "application/json",
             std::string{"{\"error\":\"internal error: "} + e.what() + "\"}"};
    }
    con->set_status(
      static_cast<websocketpp::http::status_code::value>(res.status));
    con->replace_header("Content-Type", res.content_type);
    con->replace_header("Cache-Control", "no-store");
    // Every 401 must name a scheme (RFC 7235, 3.1); bearer tokens are the
    // only credentials this server takes.
    if (res.status == 401)
      con->replace_header("WWW-Authenticate", "Bearer realm=\"citytwin\"");
    con->set_body(res.body);
  }

  bool validate(websocketpp::connection_hdl hdl) {
    auto con = server.get_con_from_hdl(hdl);
    if (ws.accepts && ws.accepts(path_of(con->get_resource())))
      return true;
    con->set_status(websocketpp::http::status_code::not_found);
    return false;
  }

  void opened(websocketpp::connection_hdl hdl) {
    auto con = server.get_con_from_hdl(hdl);
    auto id = next_id++;
    connections.emplace(id, con);
    ids.emplace(con.get(), id);
    ++num_open;
    if (ws.on_open)
      ws.on_open(id, path_of(con->get_resource()),
                 query_of(con->get_resource()));
  }

  void message(websocketpp::connection_hdl hdl, server_type::message_ptr msg) {
    auto con = server.get_con_from_hdl(hdl);
    auto i = ids.find(con.get());
    if (i == ids.end() || !ws.on_message)
      return;
    ws.on_message(i->second, msg->get_payload(),
                  msg->get_opcode() == websocketpp::frame::opcode::binary);
  }

  void closed(websocketpp::connection_hdl hdl) {
    auto con = server.get_con_from_hdl(hdl);
    auto i = ids.find(con.get());
    if (i == ids.end())
      return;
    auto id = i->second;
    ids.erase(i);
    connections.erase(id);
    bool asked = closing.erase(id) > 0;
    --num_open;
    auto local = con->get_local_close_code();
    auto remote = con->get_remote_close_code();
    uint16_t code = local != websocketpp::close::status::no_status ? local
                                                                    : remote;
    // WebSocket++ fails a client's malformed frames on its own: 1002, or
    // 1007 for text that is not UTF-8 (1009, too big, is counted apart).
    // It drops the connection right after, so no close frame from the
    // client arrives and the remote code keeps its initial value, 1006.
    bool bad_utf8
      = !asked && remote == websocketpp::close::status::abnormal_close
        && local == websocketpp::close::status::invalid_payload;
    bool protocol_error
      = code == websocketpp::close::status::protocol_error || bad_utf8;
    if (protocol_error && ws.on_protocol_error)
      ws.on_protocol_error();
    if (ws.on_close)
      ws.on_close(id, code);
  }

  void failed(websocketpp::connection_hdl hdl) {
    auto con = server.get_con_from_hdl(hdl);
    // A connection that had opened ends in `closed`; this one never did.
    if (ids.count(con.get()) != 0) {
      closed(hdl);
      return;
    }
    if (ws.on_protocol_error)
      ws.on_protocol_error();
  }

  void close_all(uint16_t code, const std::string& reason) {
    auto open = connections;
    for (auto& [id, con] : open) {
      closing.insert(id);
      websocketpp::lib::error_code ec;
      con->close(code, reason, ec);
    }
  }
};

http_server::http_server(http_handler handler) : impl_(new impl) {
  impl_->handler = std::move(handler);
  auto& srv = impl_->server;
  srv.clear_access_channels(websocketpp::log::alevel::all);
  srv.clear_error_channels(websocketpp::log::elevel::all);
  // A connection we close (a refusal, a bad message) waits this long for
  // the client's answer; the library's 5 s would let refused clients hold
  // sockets five times as long.
  srv.set_close_handshake_timeout(
    viewer_limits::close_handshake_timeout.count());
  // Initialised here, not in start, so tasks can be posted before start.
  srv.init_asio();
  auto* self = impl_.get();
  srv.set_http_handler([self](auto hdl) { self->serve_http(hdl); });
  srv.set_validate_handler([self](auto hdl) { return self->validate(hdl); });
  srv.set_open_handler([self](auto hdl) { self->opened(hdl); });
  srv.set_message_handler(
    [self](auto hdl, auto msg) { self->message(hdl, msg); });
  srv.set_close_handler([self](auto hdl) { self->closed(hdl); });
  srv.set_fail_handler([self](auto hdl) { self->failed(hdl); });
}

http_server::~http_server() {
  stop();
}

void http_server::set_handler(http_handler handler) {
  impl_->handler = std::move(handler);
}

void http_server::set_ws_handler(ws_handler handler) {
  impl_->ws = std::move(handler);
}

void http_server::set_max_message_size(size_t bytes) {
  impl_->server.set_max_message_size(bytes);
}

void http_server::set_limits(size_t max_connections,
                             std::chrono::milliseconds backoff) {
  impl_->max_connections = max_connections;
  impl_->accept_backoff = backoff;
}

bool http_server::start(const std::string& host, uint16_t port,
                        std::string& error) {
  // Our own accept loop instead of WebSocket++'s listen/start_accept,
  // which spins on EMFILE (see accept_loop.hpp).
  impl_->acceptor = std::make_unique<detail::accept_loop>(
    impl_->server, impl_->max_connections, impl_->accept_backoff);
  if (!impl_->acceptor->listen(host, port, error))
    return false;
  impl_->acceptor->start();
  impl_->running = true;
  impl_->thread = std::thread([this] { impl_->server.run(); });
  return true;
}

uint16_t http_server::port() const {
  return impl_->acceptor ? impl_->acceptor->port() : 0;
}

http_server_stats http_server::stats() const {
  if (!impl_->acceptor)
    return {};
  const auto& c = impl_->acceptor->counters();
  return {c.backoffs.load(), c.refused.load(), c.errors.load(),
          c.open.load()};
}

void http_server::stop() {
  if (!impl_ || !impl_->running)
    return;
  impl_->running = false;
  auto* self = impl_.get();
  post([self] {
    self->acceptor->stop();
    self->close_all(close_code::going_away, "server stopping");
  });
  for (auto waited = std::chrono::milliseconds{0};
       impl_->num_open > 0 && waited < close_grace; waited += close_poll)
    std::this_thread::sleep_for(close_poll);
  impl_->server.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

void http_server::post(std::function<void()> task) {
  impl_->server.get_io_service().post(std::move(task));
}

void http_server::every(std::chrono::milliseconds period,
                        std::function<void()> task) {
  auto* self = impl_.get();
  self->periodic_tasks.push_back(
    std::make_unique<impl::periodic>(impl::periodic{period, std::move(task)}));
  auto* p = self->periodic_tasks.back().get();
  post([self, p] { self->arm(p); });
}

bool http_server::send(connection_id id, const std::string& payload,
                       bool binary) {
  auto con = impl_->find(id);
  if (!con)
    return false;
  auto ec = con->send(payload, binary ? websocketpp::frame::opcode::binary
                                      : websocketpp::frame::opcode::text);
  return !ec;
}

bool http_server::send_shared(
  connection_id id, const std::shared_ptr<const std::string>& payload,
  bool binary) {
  auto con = impl_->find(id);
  if (!con || !payload)
    return false;
  return !con->send(impl_->shared.get(payload, binary));
}

size_t http_server::buffered(connection_id id) const {
  auto con = impl_->find(id);
  return con ? con->get_buffered_amount() : 0;
}

void http_server::close(connection_id id, uint16_t code,
                        const std::string& reason) {
  auto con = impl_->find(id);
  if (!con)
    return;
  impl_->closing.insert(id);
  websocketpp::lib::error_code ec;
  con->close(code, reason, ec);
}

} // namespace citytwin::viz
