// adapters/ngsi/http_listener.cpp: Boost.Beast behind a plain interface.
#include "adapters/ngsi/http_listener.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

namespace citytwin::ngsi {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

const std::string* http_request::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key == name)
      return &value;
  return nullptr;
}

namespace {

std::string_view sv(beast::string_view text) {
  return {text.data(), text.size()};
}

std::string lower(std::string_view text) {
  std::string result{text};
  for (auto& c : result)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return result;
}

// One open connection, counted while it lives.
class connection_slot {
public:
  connection_slot() = default;
  explicit connection_slot(std::shared_ptr<std::atomic<size_t>> n)
      : n_(std::move(n)) {
  }
  connection_slot(connection_slot&& other) noexcept = default;
  connection_slot& operator=(connection_slot&& other) noexcept = default;
  ~connection_slot() {
    if (n_)
      --*n_;
  }

private:
  std::shared_ptr<std::atomic<size_t>> n_;
};

// The outgoing side of one WebSocket session: a queue drained by one
// async_write at a time on the session's strand.
class ws_session : public ws_sink,
                   public std::enable_shared_from_this<ws_session> {
public:
  // `owner` keeps the listener's io_context alive as long as the session:
  // subscribers (the broker's notifier) may hold it past the listener.
  ws_session(tcp::socket socket, std::shared_ptr<void> owner,
             connection_slot slot)
      : owner_(std::move(owner)), slot_(std::move(slot)),
        ws_(std::move(socket)) {
  }

  template <class Request>
  void accept(Request req,
              std::function<void(std::shared_ptr<ws_session>)> on_open) {
    ws_.set_option(
        websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(4096);
    auto self = shared_from_this();
    auto held = std::make_shared<Request>(std::move(req));
    ws_.async_accept(*held, [self, held, on_open](beast::error_code ec) {
      if (ec) {
        self->closed_ = true;
        return;
      }
      on_open(self);
      self->read_loop();
    });
  }

  bool try_send(std::string text, size_t limit) override {
    if (closed_)
      return false;
    {
      std::lock_guard guard{mtx_};
      if (queued_bytes_ + text.size() > limit && !queue_.empty())
        return false;
      queued_bytes_ += text.size();
      queue_.push_back(std::move(text));
      if (writing_)
        return true;
      writing_ = true;
    }
    auto self = shared_from_this();
    asio::post(ws_.get_executor(), [self] { self->write_next(); });
    return true;
  }

  bool closed() const override {
    return closed_;
  }

  /// Closes the socket at once; only while no I/O thread runs.
  void abort() {
    closed_ = true;
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  void close(uint16_t code, std::string reason) override {
    auto self = shared_from_this();
    asio::post(ws_.get_executor(), [self, code, reason] {
      if (self->closed_)
        return;
      self->closed_ = true;
      self->ws_.async_close(
          websocket::close_reason{static_cast<websocket::close_code>(code),
                                  reason},
          [self](beast::error_code) {});
    });
  }

private:
  void write_next() {
    std::string* front = nullptr;
    {
      std::lock_guard guard{mtx_};
      if (queue_.empty() || closed_) {
        writing_ = false;
        return;
      }
      front = &queue_.front();
    }
    ws_.text(true);
    auto self = shared_from_this();
    ws_.async_write(asio::buffer(*front), [self](beast::error_code ec, size_t) {
      {
        std::lock_guard guard{self->mtx_};
        self->queued_bytes_ -= self->queue_.front().size();
        self->queue_.pop_front();
      }
      if (ec) {
        self->closed_ = true;
        std::lock_guard guard{self->mtx_};
        self->writing_ = false;
        return;
      }
      self->write_next();
    });
  }

  // Reads (and drops) whatever the client sends, to see pings and closes.
  void read_loop() {
    auto self = shared_from_this();
    ws_.async_read(buffer_, [self](beast::error_code ec, size_t) {
      self->buffer_.consume(self->buffer_.size());
      if (ec) {
        self->closed_ = true;
        return;
      }
      self->read_loop();
    });
  }

  std::shared_ptr<void> owner_;
  connection_slot slot_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  std::mutex mtx_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  std::atomic<bool> closed_{false};
};

// The 500 of a handler that threw instead of answering.
http_response internal_error() {
  http_response out;
  out.status = 500;
  out.set("Content-Type", "application/json");
  out.body = R"({"type":"https://uri.etsi.org/ngsi-ld/errors/)"
             R"(InternalError","title":"internal error"})";
  return out;
}

// A request's answer, given once from whichever thread has it. A handler
// that drops its reply hook unanswered (an actor gone at shutdown, a task
// lost) still answers: 503, so the client never waits for nothing.
class pending_answer {
public:
  explicit pending_answer(std::function<void(http_response)> deliver)
      : deliver_(std::move(deliver)) {
  }

  ~pending_answer() {
    if (!given_.exchange(true)) {
      http_response out;
      out.status = 503;
      out.set("Retry-After", "1");
      deliver_(std::move(out));
    }
  }

  void give(http_response out) {
    if (!given_.exchange(true))
      deliver_(std::move(out));
  }

private:
  std::atomic<bool> given_{false};
  std::function<void(http_response)> deliver_;
};

} // namespace

request_handler
answer_at_once(std::function<http_response(const http_request&)> answer) {
  return [answer = std::move(answer)](http_request req, reply_fn reply) {
    reply(answer(req));
  };
}

struct http_listener::impl : std::enable_shared_from_this<impl> {
  listener_config config;
  request_handler handler;
  ws_upgrade_handler ws;
  // One io_context per I/O thread, and each connection on one of them.
  // With one io_context shared by every thread, each completion went to
  // whichever thread waited: a futex wake-up and a context switch per
  // request, most of a keep-alive request's cost on two cores.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  // Keep each context's `run` going while it has no connection yet.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>>
      keep_running;
  std::atomic<size_t> next_context{0};

  asio::io_context& acceptor_context() {
    return *contexts.front();
  }

  asio::io_context& next() {
    return *contexts[next_context.fetch_add(1) % contexts.size()];
  }
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> running{false};
  uint16_t port = 0;
  std::shared_ptr<std::atomic<size_t>> open_connections
      = std::make_shared<std::atomic<size_t>>(0);
  std::atomic<uint64_t> refused_connections{0};
  std::atomic<uint64_t> accept_backoffs{0};
  std::optional<asio::steady_timer> backoff_timer;
  // Open connections, so that `stop` can close them: their pending
  // operations hold the impl alive otherwise.
  struct session;
  std::mutex open_mtx;
  std::vector<std::weak_ptr<session>> open_sessions;
  std::vector<std::weak_ptr<ws_session>> open_sockets;

  template <class T>
  void remember(std::vector<std::weak_ptr<T>>& list, std::shared_ptr<T> x) {
    std::lock_guard guard{open_mtx};
    if (list.size() >= 64 && list.size() == list.capacity())
      std::erase_if(list, [](const auto& w) { return w.expired(); });
    list.push_back(std::move(x));
  }

  void accept() {
    acceptor->async_accept(
        asio::make_strand(next()),
        [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
          if (!self->running)
            return;
          if (ec == asio::error::no_descriptors || ec == asio::error::no_memory
              || ec == asio::error::no_buffer_space) {
            // Out of descriptors: the pending connection stays in the
            // backlog, so accepting again at once fails again at once.
            ++self->accept_backoffs;
            return self->accept_later();
          }
          if (!ec)
            self->admit(std::move(socket));
          self->accept();
        });
  }

  void accept_later() {
    backoff_timer->expires_after(config.accept_backoff);
    backoff_timer->async_wait([self = shared_from_this()](beast::error_code) {
      if (self->running)
        self->accept();
    });
  }

  void admit(tcp::socket socket) {
    beast::error_code ignored;
    if (open_connections->fetch_add(1) >= config.max_connections) {
      --*open_connections;
      ++refused_connections;
      refuse(std::move(socket));
      return;
    }
    // Answers are small and may follow each other (pipelining):
    // Nagle's algorithm would hold them for the peer's delayed ACK.
    socket.set_option(tcp::no_delay(true), ignored);
    auto s = std::make_shared<session>(shared_from_this(), std::move(socket),
                                       connection_slot{open_connections});
    remember(open_sessions, s);
    s->read();
  }

  // One short answer, without reading the request, then the socket
  // closes: the client learns why instead of seeing a reset.
  static void refuse(tcp::socket socket) {
    static const std::string busy
        = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
          "Content-Length: 0\r\nConnection: close\r\n\r\n";
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    asio::async_write(*s, asio::buffer(busy),
                      [s](beast::error_code, size_t) {
                        beast::error_code ignored;
                        s->shutdown(tcp::socket::shutdown_both, ignored);
                        s->close(ignored);
                      });
  }

  // One keep-alive connection: read a request, answer it, repeat.
  struct session : std::enable_shared_from_this<session> {
    std::shared_ptr<impl> owner;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::optional<http::request_parser<http::string_body>> parser;
    http::response<http::string_body> response;

    connection_slot slot;
    // The peer's address, asked once: a system call per request otherwise.
    std::string remote;

    session(std::shared_ptr<impl> o, tcp::socket s, connection_slot c)
        : owner(std::move(o)), stream(std::move(s)), slot(std::move(c)) {
      beast::error_code ignored;
      remote = stream.socket().remote_endpoint(ignored).address().to_string();
    }

    void read() {
      parser.emplace();
      parser->body_limit(owner->config.max_body_bytes);
      parser->header_limit(
          static_cast<uint32_t>(owner->config.max_header_bytes));
      stream.expires_after(owner->config.idle_timeout);
      http::async_read(
          stream, buffer, *parser,
          [self = shared_from_this()](beast::error_code ec, size_t) {
            self->on_read(ec);
          });
    }

    // Method, target and headers; the body is moved separately.
    http_request decode(const http::request<http::string_body>& req) {
      http_request result;
      result.method = std::string{sv(req.method_string())};
      auto target = sv(req.target());
      auto question = target.find('?');
      result.path = std::string{target.substr(0, question)};
      if (question != std::string_view::npos)
        result.query = std::string{target.substr(question + 1)};
      for (const auto& field : req)
        result.headers.emplace_back(lower(sv(field.name_string())),
                                    std::string{sv(field.value())});
      result.remote = remote;
      return result;
    }

    void fail_with(http::status status) {
      response = {};
      response.version(11);
      response.result(status);
      response.keep_alive(false);
      response.prepare_payload();
      write(true);
    }

    void on_read(beast::error_code ec) {
      if (ec == http::error::body_limit)
        return fail_with(http::status::payload_too_large);
      if (ec == http::error::header_limit)
        return fail_with(http::status::request_header_fields_too_large);
      if (ec == http::error::end_of_stream || ec == beast::error::timeout
          || ec == asio::error::operation_aborted
          || ec == asio::error::connection_reset)
        return shutdown();
      if (ec)
        return fail_with(http::status::bad_request);
      auto& req = parser->get();
      if (websocket::is_upgrade(req) && owner->ws.check)
        return upgrade(parser->release());
      auto in = decode(req);
      in.chunked = parser->chunked();
      in.has_length = parser->content_length().has_value();
      in.body = std::move(req.body());
      auto version = req.version();
      auto keep_alive = req.keep_alive();
      // The answer may come from another thread (an actor's): it goes
      // back onto this connection's strand before touching the session.
      auto answer = std::make_shared<pending_answer>(
          [self = shared_from_this(), version, keep_alive](http_response out) {
            auto executor = self->stream.get_executor();
            asio::post(executor, [self, version, keep_alive,
                                  out = std::move(out)]() mutable {
              self->respond(version, keep_alive, std::move(out));
            });
          });
      try {
        owner->handler(std::move(in), [answer](http_response out) {
          answer->give(std::move(out));
        });
      } catch (const std::exception& e) {
        answer->give(internal_error());
      }
    }

    void respond(unsigned version, bool keep_alive, http_response out) {
      response = {};
      response.version(version);
      response.result(static_cast<unsigned>(out.status));
      for (auto& [name, value] : out.headers)
        response.set(name, value);
      response.body() = std::move(out.body);
      response.keep_alive(keep_alive);
      response.prepare_payload();
      write(!keep_alive);
    }

    void write(bool close) {
      http::async_write(
          stream, response,
          [self = shared_from_this(), close](beast::error_code ec, size_t) {
            if (ec || close)
              return self->shutdown();
            self->read();
          });
    }

    void upgrade(http::request<http::string_body> req) {
      auto in = decode(req);
      auto held
          = std::make_shared<http::request<http::string_body>>(std::move(req));
      owner->ws.check(std::move(in), [self = shared_from_this(),
                                      held](ws_decision decision) {
        asio::post(self->stream.get_executor(),
                   [self, held, decision = std::move(decision)]() mutable {
                     self->finish_upgrade(std::move(*held),
                                          std::move(decision));
                   });
      });
    }

    void finish_upgrade(http::request<http::string_body> req,
                        ws_decision decision) {
      if (decision.refusal || !decision.on_open) {
        auto refused = decision.refusal ? std::move(*decision.refusal)
                                        : internal_error();
        response = {};
        response.version(11);
        response.result(static_cast<unsigned>(refused.status));
        for (auto& [name, value] : refused.headers)
          response.set(name, value);
        response.body() = std::move(refused.body);
        response.keep_alive(false);
        response.prepare_payload();
        return write(true);
      }
      auto ws = std::make_shared<ws_session>(stream.release_socket(), owner,
                                             std::move(slot));
      owner->remember(owner->open_sockets, ws);
      ws->accept(std::move(req),
                 [on_open = std::move(decision.on_open)](
                     std::shared_ptr<ws_session> s) { on_open(std::move(s)); });
    }

    void shutdown() {
      beast::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      stream.socket().close(ignored);
    }
  };
};

http_listener::http_listener(listener_config config, request_handler handler,
                             ws_upgrade_handler ws)
    : impl_(std::make_shared<impl>()) {
  impl_->config = std::move(config);
  impl_->handler = std::move(handler);
  impl_->ws = std::move(ws);
}

http_listener::~http_listener() {
  stop();
}

bool http_listener::start(std::string& error) {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->config.host, ec);
  if (ec) {
    error = "bad address '" + impl_->config.host + "': " + ec.message();
    return false;
  }
  tcp::endpoint endpoint{address, impl_->config.port};
  auto n = std::max<size_t>(1, impl_->config.threads);
  impl_->contexts.clear();
  for (size_t i = 0; i < n; ++i)
    impl_->contexts.push_back(std::make_unique<asio::io_context>());
  auto& acceptor = impl_->acceptor.emplace(impl_->acceptor_context());
  acceptor.open(endpoint.protocol(), ec);
  if (!ec)
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec)
    acceptor.bind(endpoint, ec);
  if (!ec)
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + impl_->config.host + ":"
            + std::to_string(impl_->config.port) + ": " + ec.message();
    return false;
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->backoff_timer.emplace(impl_->acceptor_context());
  impl_->running = true;
  impl_->accept();
  impl_->keep_running.clear();
  for (auto& context : impl_->contexts) {
    impl_->keep_running.push_back(asio::make_work_guard(*context));
    impl_->threads.emplace_back(
        [self = impl_, ctx = context.get()] { ctx->run(); });
  }
  return true;
}

uint16_t http_listener::port() const {
  return impl_->port;
}

listener_stats http_listener::stats() const {
  return {impl_->open_connections->load(), impl_->refused_connections.load(),
          impl_->accept_backoffs.load()};
}

void http_listener::stop() {
  if (!impl_ || !impl_->running.exchange(false))
    return;
  asio::post(impl_->acceptor_context(), [self = impl_] {
    beast::error_code ignored;
    self->acceptor->close(ignored);
    self->backoff_timer->cancel();
  });
  for (auto& guard : impl_->keep_running)
    guard.reset();
  for (auto& context : impl_->contexts)
    context->stop();
  for (auto& t : impl_->threads)
    if (t.joinable())
      t.join();
  impl_->threads.clear();
  // No I/O thread runs now: close everything, then let the aborted
  // operations finish so that they release the sessions (and this impl).
  beast::error_code ignored;
  impl_->acceptor->close(ignored);
  {
    std::lock_guard guard{impl_->open_mtx};
    for (auto& w : impl_->open_sessions)
      if (auto s = w.lock())
        s->stream.socket().close(ignored);
    for (auto& w : impl_->open_sockets)
      if (auto s = w.lock())
        s->abort();
    impl_->open_sessions.clear();
    impl_->open_sockets.clear();
  }
  // Each context gets its share of the one second the aborted operations
  // had with a single context.
  for (auto& context : impl_->contexts) {
    context->restart();
    context->run_for(std::chrono::seconds{1} / impl_->contexts.size());
  }
}

std::optional<std::vector<std::pair<std::string, std::string>>>
parse_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> result;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{}
                                          : query.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq));
    auto value
        = percent_decode(eq == std::string_view::npos ? std::string_view{}
                                                      : pair.substr(eq + 1));
    if (!key || !value)
      return std::nullopt;
    result.emplace_back(std::move(*key), std::move(*value));
  }
  return result;
}

} // namespace citytwin::ngsi
