// bench/soak_sampler.hpp
#pragma once

#include "bench/soak_probe.hpp"
#include "bench/soak_report.hpp"
#include "bench/soak_server.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace citytwin::bench {

/// Turns the probes' samples, /proc and /metrics into the soak's 5-second
/// windows and minute rows. The driver calls `tick` every 5 s.
class soak_sampler {
public:
  static constexpr double window_s = 5;

  soak_sampler(soak_server& server, std::chrono::steady_clock::time_point epoch,
               const api_probe& api, const viewer_probe& view);

  /// Closes the window ending now (and the minute, every 12th window).
  void tick(const std::string& phase);

  double now_s() const;

  const std::vector<soak_window>& windows() const {
    return windows_;
  }

  const std::vector<soak_minute>& minutes() const {
    return minutes_;
  }

  size_t probe_failures() const;

  /// Recomputes every window's and minute's probe figures from the whole
  /// logs: a lost probe is known only 10 s after it was sent, when its
  /// window has long been closed.
  void finalize();

private:
  soak_minute minute_row(const std::string& phase, double from, double to);

  soak_server& server_;
  std::chrono::steady_clock::time_point epoch_;
  const api_probe& api_;
  const viewer_probe& view_;
  double last_window_ = 0;
  double last_minute_ = 0;
  metrics_page last_metrics_;
  std::vector<soak_window> windows_;
  std::vector<soak_minute> minutes_;
};

} // namespace citytwin::bench
