// adapters/ingest/ingest_counters.hpp
#pragma once

#include "actors/messages.hpp"
#include "adapters/ingest/reject_reason.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace citytwin::ingest {

/// A copy of the ingest counters at one instant, plain data.
struct ingest_stats {
  uint64_t messages = 0;          ///< payloads received (MQTT messages)
  uint64_t bytes = 0;             ///< payload bytes received
  uint64_t records = 0;           ///< records or attributes seen in payloads
  uint64_t readings_accepted = 0; ///< readings sent on to the twin
  uint64_t batches_sent = 0;      ///< CAF messages sent to ROUTERs
  uint64_t entities_created = 0;  ///< sensor entities created for unknown ids
  /// Rejections by `reject_reason` value (index 0 unused). A payload-level
  /// reason (too_large, malformed_payload, ...) counts once per payload.
  std::array<uint64_t, num_reject_reasons + 1> rejected{};
  int64_t lag_last_ms = 0; ///< receipt time minus reading time, last pack
  int64_t lag_max_ms = 0;  ///< the largest lag seen
  double lag_sum_s = 0;    ///< sum over accepted readings, for the mean
  uint64_t lag_count = 0;  ///< readings in `lag_sum_ms`
  uint64_t connects = 0;   ///< successful (re)connections to the broker
  uint64_t disconnects = 0;
  /// Messages whose readings could not be journaled (disk full): not
  /// acknowledged, the connection dropped so the broker delivers again.
  uint64_t not_kept = 0;

  /// Sum of all rejections.
  uint64_t rejected_total() const;
};

/// Live counters of one ingest path, written by the adapter's thread and
/// read by anyone (the HTTP API's `/metrics`). Relaxed atomics: each
/// counter is exact, a snapshot is not one consistent cut.
class ingest_counters {
public:
  void count_message(size_t bytes);
  void count_records(uint64_t n);
  void count_rejected(reject_reason reason, uint64_t n = 1);
  void count_accepted(uint64_t n);
  void count_batch();
  void count_created();
  /// Records the lag of `n` accepted readings summing to `sum_ms`, the
  /// largest being `max_ms`.
  void count_lag(int64_t sum_ms, int64_t max_ms, uint64_t n);
  void count_connect();
  void count_disconnect();
  void count_not_kept();

  /// Copies every counter.
  ingest_stats snapshot() const;

private:
  using counter = std::atomic<uint64_t>;
  counter messages_{0};
  counter bytes_{0};
  counter records_{0};
  counter accepted_{0};
  counter batches_{0};
  counter created_{0};
  std::array<counter, num_reject_reasons + 1> rejected_{};
  std::atomic<int64_t> lag_last_{0};
  std::atomic<int64_t> lag_max_{0};
  // Seconds, as a double: a replay of 2014 data lags by years per reading.
  std::atomic<double> lag_sum_{0};
  counter lag_count_{0};
  counter connects_{0};
  counter disconnects_{0};
  counter not_kept_{0};
};

/// Renders counters in the Prometheus text exposition format (0.0.4),
/// metric names prefixed `citytwin_ingest_`. With `twin` also the twin's
/// side: readings received, applied, and rejected by `errc` name.
std::string render_prometheus(const ingest_stats& stats,
                              const actors::twin_stats* twin = nullptr);

} // namespace citytwin::ingest
