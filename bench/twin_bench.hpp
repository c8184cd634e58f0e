// bench/twin_bench.hpp
#pragma once

#include "actors/runtime.hpp"
#include "twin/city.hpp"

#include <cstddef>
#include <string>

namespace citytwin::bench {

/// A valid reading for the `seq`-th update of an entity (at `t0 + seq`
/// seconds): every kind gets a quantity it accepts and values that differ
/// from one update to the next, so every message changes state and
/// publishes exactly one delta. False for unsignalised intersections.
bool reading_for(const twin::entity_state& st, uint64_t seq,
                 twin::reading& out);

/// A generated city of about `entities` entities in the demo's mix, scaled
/// so that lamps, bins and sensors fill the budget the roads leave.
twin::city make_city(size_t entities, uint64_t seed);

struct spawn_result {
  size_t entities = 0;
  double seconds = 0;
  double bytes_per_entity = 0; ///< resident memory of actor + state
};

/// Boots a twin of `c` in a fresh actor system and measures it.
spawn_result measure_spawn(const twin::city& c, const std::string& scheduler);

struct throughput_result {
  size_t entities_driven = 0;
  size_t readings_sent = 0;
  size_t readings_applied = 0;
  size_t deltas = 0;
  double seconds = 0;
  bool finished = false; ///< false: stopped at the time limit

  double readings_per_second() const {
    return seconds > 0 ? double(readings_applied) / seconds : 0;
  }
};

/// Sends `rounds` rounds of `per_message` readings to every drivable
/// entity of `c` (all but unsignalised intersections), straight to the
/// shard routers in batches, and waits until every change has been
/// published as a delta, or until `time_limit_s` passed.
throughput_result measure_throughput(const twin::city& c,
                                     const actors::runtime_settings& runtime,
                                     size_t per_message, size_t rounds,
                                     double time_limit_s);

} // namespace citytwin::bench
