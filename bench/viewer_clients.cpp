// bench/viewer_clients.cpp (compiled as C++17, see viewer_clients.hpp)
#include "bench/viewer_clients.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <string_view>
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

  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
             clock_type::now().time_since_epoch())
      .count();
  }

  void note(int64_t t, int64_t received) {
    if (t >= t0 && static_cast<uint64_t>(t - t0) < count)
      seen.push_back({static_cast<uint64_t>(t - t0), received});
  }

  // A JSON deltas frame. The clients must not be what limits the figure:
  // a frame is scanned once, with memmem (a quote-led needle makes
  // std::string::find stop at every quote of the JSON), and its kind is
  // read from its tail.
  void scan_json(const std::string& payload) {
    static constexpr std::string_view key = "updated_ms\":";
    static constexpr std::string_view delta_tail
      = "\"snapshot\":false,\"type\":\"deltas\"}";
    std::string_view frame{payload};
    if (frame.size() < delta_tail.size()
        || frame.substr(frame.size() - delta_tail.size()) != delta_tail)
      return;
    auto now = now_ns();
    const char* pos = payload.data();
    const char* end = payload.data() + payload.size();
    while (auto* hit = static_cast<const char*>(
             ::memmem(pos, end - pos, key.data(), key.size()))) {
      pos = hit + key.size();
      note(std::strtoll(pos, nullptr, 10), now);
    }
  }

  // A Protobuf frame (the viewer page's format) after the snapshot: every
  // binary frame then is a DeltaBatch of live deltas. The clients only
  // need each delta's `state.updated_ms`, so they walk the wire format to
  // it and skip the rest, as wrk reads a status line and not the page: a
  // full parse of every delta by ten clients on one thread was what
  // limited the figure. A frame that does not parse counts nothing.
  void scan_proto(const std::string& payload) {
    using google::protobuf::io::CodedInputStream;
    using wire_format = google::protobuf::internal::WireFormatLite;
    auto now = now_ns();
    CodedInputStream batch_in{
      reinterpret_cast<const uint8_t*>(payload.data()),
      static_cast<int>(payload.size())};
    // Field numbers of twin/proto/citytwin.proto.
    constexpr int batch_deltas = 2, delta_state = 1, state_updated_ms = 4;
    auto enter = [](CodedInputStream& in) {
      uint32_t size = 0;
      return in.ReadVarint32(&size) ? in.PushLimit(static_cast<int>(size))
                                    : -1;
    };
    while (auto tag = batch_in.ReadTag()) {
      if (wire_format::GetTagFieldNumber(tag) != batch_deltas) {
        if (!wire_format::SkipField(&batch_in, tag))
          return;
        continue;
      }
      auto delta_limit = enter(batch_in);
      if (delta_limit < 0)
        return;
      while (auto dtag = batch_in.ReadTag()) {
        if (wire_format::GetTagFieldNumber(dtag) != delta_state) {
          if (!wire_format::SkipField(&batch_in, dtag))
            return;
          continue;
        }
        auto state_limit = enter(batch_in);
        if (state_limit < 0)
          return;
        while (auto stag = batch_in.ReadTag()) {
          uint64_t value = 0;
          if (wire_format::GetTagFieldNumber(stag) == state_updated_ms
              && wire_format::GetTagWireType(stag)
                   == wire_format::WIRETYPE_VARINT) {
            if (!batch_in.ReadVarint64(&value))
              return;
            note(static_cast<int64_t>(value), now);
          } else if (!wire_format::SkipField(&batch_in, stag)) {
            return;
          }
        }
        batch_in.PopLimit(state_limit);
      }
      batch_in.PopLimit(delta_limit);
    }
  }
};

// The one small frame that ends a snapshot.
bool is_snapshot_end(const std::string& payload) {
  return payload.size() < 256
         && payload.find("\"type\":\"snapshot_end\"") != std::string::npos;
}

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
          bool binary = msg->get_opcode() == websocketpp::frame::opcode::binary;
          if (log != nullptr && !binary)
            log->scan_json(payload);
          else if (log != nullptr && live_.count(hdl.lock().get()) > 0)
            log->scan_proto(payload);
          if (!binary && is_snapshot_end(payload)) {
            live_.insert(hdl.lock().get());
            finish(hdl, snapshots_);
          }
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
  // Connections past their snapshot: their binary frames are live deltas.
  std::set<void*> live_;
  bool reported_ = false;
  clock_type::time_point start_;
};

} // namespace

int run_logging_viewer_clients(const std::string& url, size_t n,
                               double timeout_s, const std::string& log_path,
                               int64_t t0, uint64_t count) {
  delta_logger log;
  log.t0 = t0;
  log.count = count;
  // Room for every (reading, client) pair up front: growing the log by
  // doubling copied tens of megabytes while frames arrived, and the
  // stalls at 1 and 2 million pairs were most of the measured p99.
  log.seen.reserve(count * n);
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
