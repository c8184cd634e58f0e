// bench/viewer_clients.cpp (compiled as C++17, see viewer_clients.hpp)
#include "bench/viewer_clients.hpp"

#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace citytwin::bench {

namespace {

using client_type = websocketpp::client<websocketpp::config::asio_client>;
using clock_type = std::chrono::steady_clock;

// Messages as large as a whole city's layout are expected.
constexpr size_t max_message_bytes = 256 * 1024 * 1024;
// Handshakes and snapshots in flight at once: the server's listen backlog
// is finite, and a thousand simultaneous snapshots only measure the queue.
constexpr size_t max_pending = 32;

// Optional logging of the deltas the clients see (the latency figure).
struct delta_logger {
  int64_t t0 = 0;
  uint64_t count = 0;
  std::vector<delta_seen> seen;

  void scan(const std::string& payload) {
    static const std::string key = "\"updated_ms\":";
    if (payload.find("\"snapshot\":false") == std::string::npos)
      return;
    auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 clock_type::now().time_since_epoch())
                 .count();
    for (auto pos = payload.find(key); pos != std::string::npos;
         pos = payload.find(key, pos + key.size())) {
      auto t = std::strtoll(payload.c_str() + pos + key.size(), nullptr, 10);
      if (t >= t0 && static_cast<uint64_t>(t - t0) < count)
        seen.push_back({static_cast<uint64_t>(t - t0), now});
    }
  }
};

class fleet {
public:
  fleet(std::string url, size_t n, delta_logger* log = nullptr)
    : url_(std::move(url)), target_(n) {
    client_.clear_access_channels(websocketpp::log::alevel::all);
    client_.clear_error_channels(websocketpp::log::elevel::all);
    client_.set_max_message_size(max_message_bytes);
    client_.init_asio();
    client_.set_message_handler(
        [this, log](websocketpp::connection_hdl hdl,
                    client_type::message_ptr msg) {
          const auto& payload = msg->get_payload();
          if (log != nullptr)
            log->scan(payload);
          if (payload.find("\"type\":\"snapshot_end\"") != std::string::npos)
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

int run_logging_viewer_clients(const std::string& url, size_t n,
                               double timeout_s, const std::string& log_path,
                               int64_t t0, uint64_t count) {
  delta_logger log{t0, count, {}};
  try {
    fleet f{url, n, &log};
    f.run(timeout_s);
  } catch (const std::exception& e) {
    std::printf("error %s\n", e.what());
    return 1;
  }
  auto* out = std::fopen(log_path.c_str(), "wb");
  if (out == nullptr)
    return 1;
  auto ok = std::fwrite(log.seen.data(), sizeof(delta_seen), log.seen.size(),
                        out)
            == log.seen.size();
  return std::fclose(out) == 0 && ok ? 0 : 1;
}

std::vector<delta_seen> read_delta_log(const std::string& path) {
  std::vector<delta_seen> result;
  auto* in = std::fopen(path.c_str(), "rb");
  if (in == nullptr)
    return result;
  delta_seen record;
  while (std::fread(&record, sizeof record, 1, in) == 1)
    result.push_back(record);
  std::fclose(in);
  return result;
}

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
