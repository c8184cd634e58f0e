// bench/viewer_clients.cpp (compiled as C++17, see viewer_clients.hpp)
#include "bench/viewer_clients.hpp"

#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <thread>

namespace citytwin::bench {

namespace {

using client_type = websocketpp::client<websocketpp::config::asio_client>;
using clock_type = std::chrono::steady_clock;

// Messages as large as a whole city's layout are expected.
constexpr size_t max_message_bytes = 256 * 1024 * 1024;
// Handshakes and snapshots in flight at once: the server's listen backlog
// is finite, and a thousand simultaneous snapshots only measure the queue.
constexpr size_t max_pending = 32;

class fleet {
public:
  fleet(std::string url, size_t n) : url_(std::move(url)), target_(n) {
    client_.clear_access_channels(websocketpp::log::alevel::all);
    client_.clear_error_channels(websocketpp::log::elevel::all);
    client_.set_max_message_size(max_message_bytes);
    client_.init_asio();
    client_.set_message_handler(
        [this](websocketpp::connection_hdl hdl, client_type::message_ptr msg) {
          if (msg->get_payload().find("\"type\":\"snapshot_end\"")
              != std::string::npos)
            finish(hdl, snapshots_);
        });
    client_.set_fail_handler(
        [this](websocketpp::connection_hdl hdl) { finish(hdl, failed_); });
    client_.set_open_handler(
        [this](websocketpp::connection_hdl) { ++opened_; });
    client_.set_close_handler(
        [this](websocketpp::connection_hdl hdl) { finish(hdl, closed_); });
  }

  void run(double timeout_s) {
    start_ = clock_type::now();
    connect_more();
    auto timer = client_.set_timer(static_cast<long>(timeout_s * 1000),
                                   [this](const auto& err) {
                                     if (!err)
                                       report();
                                   });
    // Keeps the connections until the parent closes our stdin.
    std::thread eof_watch([this] {
      std::string line;
      while (std::getline(std::cin, line)) {
        // nop: the parent only ever closes stdin
      }
      client_.get_io_service().post([this] { client_.stop(); });
    });
    client_.run();
    eof_watch.join();
  }

private:
  void connect_more() {
    while (started_ < target_ && pending_.size() < max_pending) {
      ++started_;
      websocketpp::lib::error_code ec;
      auto con = client_.get_connection(url_, ec);
      if (ec) {
        ++failed_;
        continue;
      }
      pending_[con.get()] = true;
      client_.connect(con);
    }
    if (started_ == target_ && pending_.empty())
      report();
  }

  // A connection got its snapshot, failed or closed before it.
  void finish(websocketpp::connection_hdl hdl, size_t& counter) {
    auto it = pending_.find(hdl.lock().get());
    if (it == pending_.end()) {
      if (&counter == &closed_)
        ++closed_; // closed after its snapshot
      return;
    }
    pending_.erase(it);
    ++counter;
    connect_more();
  }

  void report() {
    if (reported_)
      return;
    reported_ = true;
    auto seconds
        = std::chrono::duration<double>(clock_type::now() - start_).count();
    std::printf("viewers %zu %zu %zu %zu %.3f\n", opened_, snapshots_, failed_,
                closed_, seconds);
    std::fflush(stdout);
  }

  client_type client_;
  std::string url_;
  size_t target_;
  size_t started_ = 0;
  size_t opened_ = 0;
  size_t snapshots_ = 0;
  size_t failed_ = 0;
  size_t closed_ = 0;
  std::map<void*, bool> pending_;
  bool reported_ = false;
  clock_type::time_point start_;
};

} // namespace

int run_viewer_clients(const std::string& url, size_t n, double timeout_s) {
  try {
    fleet f{url, n};
    f.run(timeout_s);
  } catch (const std::exception& e) {
    std::printf("error %s\n", e.what());
    return 1;
  }
  return 0;
}

} // namespace citytwin::bench
