// actors/synthetic_feed.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "twin/city.hpp"
#include "twin/random.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace citytwin::actors {

/// Configuration of the built-in synthetic feed that keeps the demo city
/// alive without an external broker.
struct synthetic_feed_config {
  twin::time_ms start = 0;              ///< simulated time of the first tick
  long step_s = 60;                     ///< simulated seconds per tick
  std::chrono::milliseconds tick{1000}; ///< wall-clock time between ticks
  uint64_t seed = 1;
  /// Called with each step's readings before they go to the twin: the
  /// archive's journal (adapters/archive), which the actors cannot name.
  /// Appending to a journal is a write into the kernel's page cache, a few
  /// microseconds per tick; an error is logged and the step still goes on.
  std::function<caf::error(const twin::reading_batch&)> keep;
  /// On a node of a cluster: by shard, true for the shards hosted here;
  /// the feed emits only their readings, so each node feeds its own part
  /// of the same simulated city. Empty: every entity.
  std::vector<bool> hosted;

  caf::error validate() const;
};

/// The model behind the feed, in plain C++: diurnal traffic on every
/// segment and counter, signal phases, lamps following dusk and dawn at the
/// city's position, bins filling and being emptied, and plausible values
/// for every other sensor. Deterministic for a given seed and start time.
class synthetic_feed_model {
public:
  synthetic_feed_model(std::shared_ptr<const twin::city> c, uint64_t seed);

  /// The readings of the step ending at `now`, `step_s` after the last.
  twin::reading_batch step(twin::time_ms now, long step_s);

  /// Share of the daily peak traffic at a local hour of day (0..24).
  static double traffic_profile(double local_hour);

  /// Lamp output wanted at a time: 0 by day, 1 at night, dimmed to 0.5
  /// in the small hours, ramping through civil twilight.
  double lamp_level(twin::time_ms now) const;

  /// Takes note of what a traffic light was commanded (a delta with
  /// `twin::actuation_bit`): the simulated controllers follow it, as real
  /// ones would. A light in all-red or flashing mode reports no phase
  /// changes; one with a plan times its phases by the plan's green split.
  void follow(const twin::delta& d);

private:
  double local_hour(twin::time_ms now) const;

  std::shared_ptr<const twin::city> city_;
  twin::random_stream rng_;
  std::vector<double> bin_fill_;     // per bin, by position in things
  std::vector<double> bin_rate_;     // fill per hour
  std::vector<double> meter_energy_; // per energy meter
  double last_lamp_level_ = -1;      // lamps get readings only on change
  // The commanded settings of the lights that have one, by number: what
  // each simulated controller was told, the way a device keeps its own.
  std::unordered_map<uint32_t, twin::intersection_state> commanded_;
};

/// State of the FEED actor.
struct synthetic_feed_state {
  static inline const char* name = "synthetic_feed";

  std::unique_ptr<synthetic_feed_model> model;
  synthetic_feed_config config;
  twin_actor sink;
  twin::time_ms now = 0;
};

/// The behavior of the FEED actor: on every tick, one step of the model
/// goes to `sink`; ticks repeat every `config.tick`. It subscribes to the
/// twin's intersections to follow commanded signal settings.
feed_actor::behavior_type
synthetic_feed(feed_actor::stateful_pointer<synthetic_feed_state> self,
               std::shared_ptr<const twin::city> c,
               synthetic_feed_config config, twin_actor sink);

} // namespace citytwin::actors
