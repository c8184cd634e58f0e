// viz/http_server.cpp (compiled as C++17, see http_server.hpp)
#include "viz/http_server.hpp"

#include "viz/accept_loop.hpp"
#include "viz/shared_frames.hpp"
#include "viz/viewer_limits.hpp"
#include "viz/ws_server_config.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
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

// The server's own answers. `detail` is ours, never the client's, so it
// needs no JSON escaping.
http_response unavailable(const std::string& detail) {
  return {503, "application/json",
          "{\"title\":\"ServiceUnavailable\",\"detail\":\"" + detail
            + "\"}"};
}

http_response internal_error(const std::string& what) {
  return {500, "application/json",
          std::string{"{\"error\":\"internal error: "} + what + "\"}"};
}

// Computes an answer; an escaping exception becomes a 500.
http_response run(const http_answer& make) {
  try {
    return make();
  } catch (const std::exception& e) {
    return internal_error(e.what());
  }
}

// Sets the response of a connection whose request is being processed.
void fill(const connection_ptr& con, const http_response& res) {
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

// Sends the answer of a deferred request; the connection closes after it.
void send_deferred(const connection_ptr& con, const http_response& res) {
  try {
    fill(con, res);
    websocketpp::lib::error_code ec;
    con->send_http_response(ec);
  } catch (const websocketpp::exception&) {
    // The connection failed meanwhile: nobody is left to answer.
  }
}

} // namespace

http_reply::http_reply(answer_function answer, defer_function defer)
  : answer_(std::move(answer)), defer_(std::move(defer)) {
}

void http_reply::operator()(http_response res) const {
  answer_with([res = std::move(res)]() mutable { return std::move(res); });
}

void http_reply::answer_with(http_answer make) const {
  if (answer_)
    answer_(std::move(make));
}

bool http_reply::defer() const {
  return defer_ && defer_();
}

http_reply http_reply::map(std::function<void(http_response&)> edit) const {
  auto answer = answer_;
  auto mapped = [answer, edit = std::move(edit)](http_answer make) {
    if (!answer)
      return;
    answer([make = std::move(make), edit] {
      auto result = make();
      edit(result);
      return result;
    });
  };
  return http_reply{std::move(mapped), defer_};
}

async_http_handler to_async(http_handler handler) {
  if (!handler)
    return {};
  return [handler = std::move(handler)](const http_request& req,
                                        http_reply reply) {
    reply(handler(req));
  };
}

struct http_server::impl {
  // Lets answers reach the server's thread from any thread, until the
  // server goes away (`close`); then they are dropped.
  struct gate {
    std::mutex mutex;
    impl* target = nullptr;

    void post(std::function<void(impl&)> task) {
      std::lock_guard<std::mutex> guard{mutex};
      if (target == nullptr)
        return;
      auto* s = target;
      s->server.get_io_service().post([s, task = std::move(task)] {
        task(*s);
      });
    }

    void close() {
      std::lock_guard<std::mutex> guard{mutex};
      target = nullptr;
    }
  };

  // One HTTP request from its arrival to its answer, shared by the copies
  // of its `http_reply`. It holds no connection: those stay in `pending`,
  // on the server's thread, so none can outlive the server's io_service.
  struct exchange {
    exchange(std::shared_ptr<gate> replies, uint64_t request)
      : to_server(std::move(replies)), id(request) {
    }

    exchange(const exchange&) = delete;
    exchange& operator=(const exchange&) = delete;

    ~exchange() {
      // Every reply is gone and none answered (an actor that died, a
      // handler that forgot): the client still gets an answer.
      if (deferred && !answered)
        to_server->post([request = id](impl& s) {
          s.deliver(request, [] {
            return unavailable("the request was dropped unanswered");
          });
        });
    }

    void answer(http_answer make) {
      std::lock_guard<std::mutex> guard{mutex};
      if (answered)
        return;
      answered = true;
      if (deferred)
        to_server->post([request = id, make = std::move(make)](impl& s) {
          s.deliver(request, make);
        });
      else if (in_call)
        now = std::move(make); // sent when the handler returns
      // Else: an answer after the handler returned without `defer`; the
      // server has answered 500 already.
    }

    std::shared_ptr<gate> to_server;
    const uint64_t id;
    std::mutex mutex;
    bool in_call = true;   // the handler is running
    bool deferred = false; // admitted to `pending`
    bool answered = false;
    http_answer now; // the answer to send when the handler returns
  };

  async_http_handler handler;
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
  // Deferred HTTP requests and their connections, by request; touched on
  // the server thread only. At most `max_pending`.
  size_t max_pending = viewer_limits::max_pending_requests;
  std::map<uint64_t, connection_ptr> pending;
  uint64_t next_request = 1;
  std::atomic<uint64_t> num_pending{0};
  std::atomic<uint64_t> num_refused_requests{0};
  // Answers sent by `stop`, until their connections have closed.
  std::vector<connection_ptr> last_answers;
  std::atomic<size_t> num_last_answers{0};
  std::shared_ptr<gate> replies = std::make_shared<gate>();
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
    auto ex = std::make_shared<exchange>(replies, next_request++);
    http_reply reply{[ex](http_answer make) { ex->answer(std::move(make)); },
                     [this, ex, hdl] { return admit(*ex, hdl); }};
    try {
      if (!handler)
        throw std::runtime_error("no handler");
      handler(req, reply);
    } catch (const std::exception& e) {
      reply(internal_error(e.what()));
    }
    http_answer now;
    {
      std::lock_guard<std::mutex> guard{ex->mutex};
      ex->in_call = false;
      if (!ex->deferred && !ex->answered) {
        ex->answered = true;
        ex->now = [] { return internal_error("the handler gave no answer"); };
      }
      now = std::move(ex->now);
    }
    // Answered while the handler ran: WebSocket++ sends it when we return.
    // Deferred: `deliver` sends it.
    if (now)
      fill(con, run(now));
  }

  // `http_reply::defer` of a request whose handler is running on this
  // thread.
  bool admit(exchange& ex, websocketpp::connection_hdl hdl) {
    std::lock_guard<std::mutex> guard{ex.mutex};
    // Only while the handler runs: afterwards this server may be gone.
    if (!ex.in_call || ex.answered)
      return false;
    if (ex.deferred)
      return true;
    if (pending.size() >= max_pending) {
      ++num_refused_requests;
      ex.answered = true;
      auto waiting = pending.size();
      ex.now = [waiting] {
        return unavailable(std::to_string(waiting)
                           + " requests wait for an answer already; try "
                             "again later");
      };
      return false;
    }
    auto con = server.get_con_from_hdl(hdl);
    con->defer_http_response();
    pending.emplace(ex.id, std::move(con));
    num_pending = pending.size();
    ex.deferred = true;
    return true;
  }

  // Sends the answer of a deferred request, unless `stop` answered it.
  void deliver(uint64_t request, const http_answer& make) {
    auto i = pending.find(request);
    if (i == pending.end())
      return;
    // Made first: while its answer is made, the request still waits.
    auto res = run(make);
    auto con = std::move(i->second);
    pending.erase(i);
    num_pending = pending.size();
    send_deferred(con, res);
  }

  // At `stop`: answers every waiting request with `res`, and watches the
  // connections until they have sent it (`num_last_answers`).
  void answer_pending(const http_response& res) {
    for (auto& entry : pending) {
      send_deferred(entry.second, res);
      last_answers.push_back(std::move(entry.second));
    }
    // Counted before `num_pending` drops: `stop` waits while either is
    // above zero.
    num_last_answers = last_answers.size();
    pending.clear();
    num_pending = 0;
    watch_last_answers();
  }

  void watch_last_answers() {
    auto sent = [](const connection_ptr& con) {
      return con->get_state() == websocketpp::session::state::closed;
    };
    last_answers.erase(
      std::remove_if(last_answers.begin(), last_answers.end(), sent),
      last_answers.end());
    num_last_answers = last_answers.size();
    if (!last_answers.empty())
      server.set_timer(close_poll.count(), [this](const auto& ec) {
        if (!ec)
          watch_last_answers();
      });
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
  impl_->handler = to_async(std::move(handler));
  impl_->replies->target = impl_.get();
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
  // Answers still coming (from actors) must not reach a dead server.
  impl_->replies->close();
}

void http_server::set_handler(http_handler handler) {
  impl_->handler = to_async(std::move(handler));
}

void http_server::set_handler(async_http_handler handler) {
  impl_->handler = std::move(handler);
}

void http_server::set_ws_handler(ws_handler handler) {
  impl_->ws = std::move(handler);
}

void http_server::set_max_message_size(size_t bytes) {
  impl_->server.set_max_message_size(bytes);
}

void http_server::set_max_http_body_size(size_t bytes) {
  impl_->server.set_max_http_body_size(bytes);
}

void http_server::set_limits(size_t max_connections,
                             std::chrono::milliseconds backoff) {
  impl_->max_connections = max_connections;
  impl_->accept_backoff = backoff;
}

void http_server::set_max_pending_requests(size_t max_pending) {
  impl_->max_pending = max_pending;
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
  return {c.backoffs.load(),
          c.refused.load(),
          c.errors.load(),
          c.open.load(),
          impl_->num_refused_requests.load(),
          impl_->num_pending.load()};
}

void http_server::stop() {
  if (!impl_ || !impl_->running)
    return;
  impl_->running = false;
  auto* self = impl_.get();
  post([self] {
    self->acceptor->stop();
    self->answer_pending(unavailable("server stopping"));
    self->close_all(close_code::going_away, "server stopping");
  });
  auto busy = [this] {
    return impl_->num_open > 0 || impl_->num_pending > 0
           || impl_->num_last_answers > 0;
  };
  for (auto waited = std::chrono::milliseconds{0};
       busy() && waited < close_grace; waited += close_poll)
    std::this_thread::sleep_for(close_poll);
  impl_->server.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
  impl_->replies->close();
  // Requests that arrived after the answer above; their connections must
  // go while the io_service still exists.
  impl_->pending.clear();
  impl_->num_pending = 0;
  impl_->last_answers.clear();
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
