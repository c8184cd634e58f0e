// viz/accept_loop.cpp (compiled as C++17, see http_server.hpp)
#include "viz/accept_loop.hpp"

#include "viz/viewer_limits.hpp"

#include <cerrno>

namespace citytwin::viz::detail {

namespace asio = websocketpp::lib::asio;

namespace {

// Failures that mean "no resources now": retrying at once fails again.
bool out_of_resources(const asio::error_code& ec) {
  if (ec.category() != asio::error::get_system_category())
    return false;
  switch (ec.value()) {
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
      return true;
    default:
      return false;
  }
}

} // namespace

accept_loop::accept_loop(server_type& server, size_t max_connections,
                         std::chrono::milliseconds backoff)
  : server_(server),
    max_connections_(max_connections),
    backoff_(backoff),
    acceptor_(server.get_io_service()),
    timer_(server.get_io_service()),
    counters_(std::make_shared<accept_counters>()) {
}

bool accept_loop::listen(const std::string& host, uint16_t port,
                         std::string& error) {
  asio::error_code ec;
  asio::ip::tcp::resolver resolver{server_.get_io_service()};
  auto found = resolver.resolve(host, std::to_string(port), ec);
  if (!ec && found.empty())
    ec = asio::error::host_not_found;
  if (!ec) {
    auto endpoint = found.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec)
      acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
      acceptor_.bind(endpoint, ec);
    if (!ec)
      acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (!ec)
    port_ = acceptor_.local_endpoint(ec).port();
  if (ec) {
    error = "cannot listen on " + host + ":" + std::to_string(port) + ": "
            + ec.message();
    return false;
  }
  return true;
}

void accept_loop::start() {
  accept_next();
}

void accept_loop::stop() {
  stopped_ = true;
  asio::error_code ignored;
  timer_.cancel(ignored);
  acceptor_.close(ignored);
}

void accept_loop::accept_next() {
  if (stopped_)
    return;
  // The same steps as WebSocket++'s own loop: a connection object first,
  // then an accept into its socket.
  auto con = server_.get_connection();
  if (!con) {
    ++counters_->errors;
    return;
  }
  acceptor_.async_accept(con->get_raw_socket(),
                         [this, con](const asio::error_code& ec) {
                           accepted(con, ec);
                         });
}

void accept_loop::accepted(const connection_ptr& con,
                           const asio::error_code& ec) {
  if (stopped_ || ec == asio::error::operation_aborted)
    return;
  if (ec && out_of_resources(ec)) {
    // Nothing to accept into until some descriptor closes; wait instead
    // of asking again at once. Queued clients stay in the backlog.
    ++counters_->backoffs;
    timer_.expires_after(backoff_);
    timer_.async_wait([this](const asio::error_code& timer_ec) {
      if (!timer_ec)
        accept_next();
    });
    return;
  }
  if (ec) {
    ++counters_->errors;
    accept_next();
    return;
  }
  if (counters_->open >= max_connections_) {
    // Closing at once costs one descriptor for a moment; the client sees
    // its connection reset and may retry later.
    ++counters_->refused;
    asio::error_code ignored;
    con->get_raw_socket().close(ignored);
    accept_next();
    return;
  }
  // A fixed send buffer (no autotuning): see viewer_limits.hpp.
  asio::error_code ignored;
  con->get_raw_socket().set_option(
    asio::socket_base::send_buffer_size(viewer_limits::socket_send_buffer),
    ignored);
  // Frames go out when they are made: with Nagle's algorithm a small delta
  // frame waited for the ACK of the one before, which the client delays
  // up to 40 ms (p99 of 16 ms at 10k readings/s, lower at 100k/s, where
  // frames fill segments).
  con->get_raw_socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  ++counters_->open;
  auto counters = counters_;
  con->set_termination_handler([counters](auto) { --counters->open; });
  con->start();
  accept_next();
}

} // namespace citytwin::viz::detail
