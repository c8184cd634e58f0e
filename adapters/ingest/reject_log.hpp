// adapters/ingest/reject_log.hpp
#pragma once

#include "adapters/ingest/reject_reason.hpp"
#include "twin/reading.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <string>

namespace citytwin::ingest {

/// Writes at most one log line per reject reason and interval, so a flood
/// of garbage cannot flood the log: "ingest rejects <reason>: <detail>
/// (+N more since the last line)". Not thread-safe; one per ingest thread.
class reject_log {
public:
  using sink = std::function<void(const std::string&)>;

  /// @param interval_ms  shortest time between two lines of one reason.
  explicit reject_log(sink out = {}, twin::time_ms interval_ms = 10'000);

  /// Notes one rejection at wall-clock time `now`; logs it if due.
  void note(const rejection& x, twin::time_ms now);

private:
  sink out_;
  twin::time_ms interval_ms_;
  std::array<twin::time_ms, num_reject_reasons + 1> last_{};
  std::array<uint64_t, num_reject_reasons + 1> suppressed_{};
  std::array<bool, num_reject_reasons + 1> logged_{};
};

} // namespace citytwin::ingest
