// adapters/replay/player.hpp
#pragma once

#include "adapters/mqtt/publisher.hpp"
#include "adapters/replay/csv_events.hpp"

#include <caf/expected.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string_view>
#include <vector>

namespace citytwin::replay {

/// How fast and how a recording is played.
struct play_options {
  /// Recorded seconds per wall-clock second; 0 = as fast as possible.
  double speed = 0;
  int qos = 0;
  bool retain = false;
  /// Publish at most this many events; 0 = all.
  size_t limit = 0;
  /// Longest wall-clock wait between two events: longer gaps in a
  /// recording (sensor outages, nights) are cut to this.
  std::chrono::milliseconds max_wait{5000};
  /// How long to wait at the end for the broker to take everything.
  std::chrono::milliseconds drain_timeout{60000};
};

/// What a replay did.
struct play_report {
  size_t published = 0;
  size_t failed = 0;
  bool drained = false;
  double wall_s = 0;
};

/// Parses `300x`, `300` or `max` (= 0, as fast as possible).
caf::expected<double> parse_speed(std::string_view text);

/// Publishes `events` (sorted by time) at `opts.speed` times real time.
/// Stops early when `stop` becomes true. Failed publishes (a topic that is
/// not valid UTF-8, ...) are counted, not fatal.
play_report play(const std::vector<event>& events, mqtt::publisher& out,
                 const play_options& opts,
                 const std::atomic<bool>* stop = nullptr);

} // namespace citytwin::replay
