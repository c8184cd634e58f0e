// adapters/replay/player.hpp
#pragma once

#include "adapters/mqtt/publisher.hpp"
#include "adapters/replay/csv_events.hpp"

#include <caf/expected.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
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

/// Publishes events at `opts.speed` times real time, fed in one or several
/// parts (an archive replay reads its interval window by window): the
/// pacing runs on across `play` calls as if the parts were one recording.
/// Stops early when `stop` becomes true. Failed publishes (a topic that is
/// not valid UTF-8, ...) are counted, not fatal.
class player {
public:
  player(mqtt::publisher& out, play_options opts,
         const std::atomic<bool>* stop = nullptr);

  /// Publishes `events`, sorted by time and none before the previous
  /// part's last. False once stopped or at `opts.limit`.
  bool play(std::span<const event> events);

  /// Waits up to `opts.drain_timeout` until the broker took everything
  /// queued so far; false on timeout. Bounds what waits in memory.
  bool drain();

  /// Drains, then reports.
  play_report finish();

private:
  using clock = std::chrono::steady_clock;

  bool stopped() const;

  mqtt::publisher& out_;
  play_options opts_;
  const std::atomic<bool>* stop_;
  clock::time_point started_;
  // Wall-clock instant at which the previous event was due.
  clock::time_point due_;
  // Recorded time of the previous event; none before the first.
  std::optional<twin::time_ms> previous_;
  size_t num_played_ = 0;
  play_report report_;
};

/// Publishes `events` (sorted by time) with one `player`.
play_report play(const std::vector<event>& events, mqtt::publisher& out,
                 const play_options& opts,
                 const std::atomic<bool>* stop = nullptr);

} // namespace citytwin::replay
