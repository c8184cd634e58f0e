// bench/paced_ingest.hpp
#pragma once

#include "actors/spawn_twin.hpp"
#include "twin/city.hpp"

#include <caf/actor_system.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace citytwin::bench {

/// Live ingest for the benchmarks that measure what disturbs it: a pacing
/// thread offers `rate` readings/s straight to the twin's routers (every
/// reading changes its entity, so one delta each), and a sampler asks the
/// twin for its delta count every 50 ms. Both stop on `stop()`, on
/// destruction, or after 120 s, whichever comes first.
class paced_ingest {
public:
  paced_ingest(caf::actor_system& sys, const twin::city& city,
               const actors::twin_handles& twin, double rate);
  ~paced_ingest();

  paced_ingest(const paced_ingest&) = delete;
  paced_ingest& operator=(const paced_ingest&) = delete;

  /// Seconds since the load started.
  double elapsed() const;

  /// Stops both threads (idempotent).
  void stop();

  /// Readings applied per second between two times (seconds since the
  /// start), from the samples around them; call after `stop()`.
  double applied_rate(double from, double to) const;

  /// Readings offered per second over the whole run; after `stop()`.
  double offered_rate() const;

private:
  struct sample {
    double t = 0;
    uint64_t deltas = 0;
  };

  using clock_type = std::chrono::steady_clock;
  clock_type::time_point start_ = clock_type::now();
  clock_type::time_point end_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> sent_{0};
  mutable std::mutex mutex_;
  std::vector<sample> samples_;
  std::thread pacer_, sampler_;
};

} // namespace citytwin::bench
