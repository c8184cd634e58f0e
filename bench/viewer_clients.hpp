// bench/viewer_clients.hpp
#pragma once

// Many WebSocket viewers in one process, for the 1,000-viewer figure. The
// bench runs this in a child process (`citytwin-bench --viewer-clients`)
// so that the server's resident memory is measured without the clients'.
// Like viz/ws_client.hpp, a plain C++17 interface: WebSocket++ stays in
// viewer_clients.cpp.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::bench {

/// Opens `n` WebSocket connections to `url`, at most a few handshakes at
/// a time, until every one has received its snapshot (`snapshot_end`),
/// failed or closed, or `timeout_s` passed. Then prints one line to
/// stdout, `viewers <opened> <snapshots> <failed> <closed> <seconds>`,
/// keeps the connections open until stdin reaches EOF, and returns 0.
int run_viewer_clients(const std::string& url, size_t n, double timeout_s);

/// What a latency run's clients write when they stop: every `updated_ms`
/// in `[t0, t0 + count)` seen in a non-snapshot deltas frame, as the
/// sequence number `updated_ms - t0` and the steady-clock time of receipt
/// in nanoseconds (CLOCK_MONOTONIC, the same clock in every process).
struct delta_seen {
  uint64_t seq;
  int64_t received_ns;
};

/// `run_viewer_clients` for the latency figure: the clients also log what
/// they see (`delta_seen`) and, once stdin reaches EOF, write it to
/// `log_path` as raw records before they return.
int run_logging_viewer_clients(const std::string& url, size_t n,
                               double timeout_s, const std::string& log_path,
                               int64_t t0, uint64_t count);

/// Reads a file written by `run_logging_viewer_clients`.
std::vector<delta_seen> read_delta_log(const std::string& path);

} // namespace citytwin::bench
