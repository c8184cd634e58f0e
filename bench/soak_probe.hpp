// bench/soak_probe.hpp
#pragma once

// The driver's own latency probes: few requests, evenly spaced, so that
// their latency is the server's answer to "how long does a user wait now",
// independent of how hard the load generators push.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace citytwin::bench {

struct latency_sample {
  double t_s = 0; ///< when it was sent, seconds since the probe's epoch
  double ms = 0;  ///< answer time; failures count as the timeout
  bool ok = true;
};

/// Thread-safe list of samples.
class latency_log {
public:
  void add(latency_sample s);
  /// The samples sent in [from_s, to_s).
  std::vector<latency_sample> between(double from_s, double to_s) const;

private:
  mutable std::mutex mtx_;
  std::vector<latency_sample> samples_;
};

/// GET of one street light on the NGSI-LD API every `period`, on one
/// kept-alive connection (re-opened after a failure), 5 s timeout.
class api_probe {
public:
  api_probe(uint16_t port, std::chrono::steady_clock::time_point epoch,
            std::chrono::milliseconds period);
  ~api_probe();
  const latency_log& log() const {
    return log_;
  }

private:
  latency_log log_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// Ingest to viewer: publishes one noise sensor's reading over MQTT every
/// `period` (the load never touches noise sensors) and times it until a
/// JSON viewer filtered on noise sensors receives its delta. A probe not
/// seen within 10 s is a failure.
class viewer_probe {
public:
  viewer_probe(uint16_t mqtt_port, uint16_t viewer_port,
               std::chrono::steady_clock::time_point epoch,
               std::chrono::milliseconds period);
  ~viewer_probe();
  const latency_log& log() const {
    return log_;
  }

private:
  void publish_loop(uint16_t mqtt_port, std::chrono::milliseconds period);
  void view_loop(uint16_t viewer_port);
  void seen(int64_t updated_ms);
  void expire(bool all);

  std::chrono::steady_clock::time_point epoch_;
  latency_log log_;
  std::mutex mtx_;
  std::map<int64_t, std::chrono::steady_clock::time_point> pending_;
  std::atomic<bool> stop_{false};
  std::thread viewer_;
  std::thread publisher_;
};

/// The `p`-quantile (0..1) of the samples' latencies; 0 if none.
double quantile_ms(std::vector<latency_sample> samples, double p);

} // namespace citytwin::bench
