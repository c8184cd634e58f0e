// bench/viz_bench.hpp
#pragma once

#include "twin/city.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace citytwin::bench {

/// Latency of one paced rate, from a reading sent into the twin's routers
/// to the delta frame carrying it received by a WebSocket client.
struct stream_latency {
  double rate = 0;     ///< readings per second offered
  size_t sent = 0;     ///< readings sent during the run
  size_t measured = 0; ///< (reading, client) pairs seen by the clients
  size_t expected = 0; ///< sent * clients
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

struct stream_latency_result {
  std::vector<stream_latency> rates;
  size_t clients = 0;
  size_t clients_ready = 0; ///< clients that finished their snapshot
  std::string skipped;      ///< why nothing was measured, or empty
};

/// Serves a twin of `c` with the live stream on 127.0.0.1, connects
/// `clients` WebSocket clients asking for `format` ("json", or "proto" as
/// the viewer page does) from a child process
/// (`self_exe --viewer-clients ... LOG T0 COUNT`), then for each rate sends
/// readings to lamps and bins for `seconds` in 1 ms ticks. Each reading's
/// time encodes its sequence number, so a client that sees `updated_ms`
/// in a delta knows which send it answers.
stream_latency_result measure_stream_latency(const twin::city& c,
                                             const std::vector<double>& rates,
                                             size_t clients, double seconds,
                                             const std::string& format,
                                             const std::string& self_exe);

/// Memory of the server with many viewers connected.
struct viewers_result {
  size_t requested = 0;
  size_t opened = 0;
  size_t snapshots = 0; ///< viewers that received their whole snapshot
  size_t failed = 0;
  size_t closed = 0;
  double connect_seconds = 0; ///< until the last snapshot ended
  double rss_growth_bytes = 0;
  double rss_growth_trimmed_bytes = 0; ///< after malloc_trim: held, not cached
  size_t snapshot_bytes = 0;           ///< frames of one viewer's snapshot
  bool last_served = false; ///< one more viewer got snapshot and a delta
  double last_ms = 0;       ///< how long that took
  std::string skipped;
};

/// Serves a twin of `c` and connects `n` viewers from a child process
/// (`self_exe --viewer-clients`), so the resident-set growth of this
/// process is the server's alone; then checks that one more viewer is
/// still served.
viewers_result measure_viewers(const twin::city& c, size_t n,
                               const std::string& self_exe,
                               double time_limit_s);

} // namespace citytwin::bench
