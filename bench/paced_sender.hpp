// bench/paced_sender.hpp
#pragma once

// Readings at a steady rate straight to a twin's ROUTERs (in this process
// or on the nodes of a cluster), each stamped with the time it was sent,
// for the latency figures: a reading's time is `paced_t0` + its sequence
// number, so a delta's `updated_ms` names the reading that caused it.

#include "actors/interfaces.hpp"
#include "twin/city.hpp"

#include <atomic>
#include <cstdint>
#include <vector>

namespace citytwin::bench {

inline constexpr twin::time_ms paced_t0 = 1'700'000'000'000;

/// An entity every reading changes (one delta each): lamps and bins.
struct paced_target {
  twin::entity_id id;
  twin::quantity what;
  uint32_t updates = 0;
};

/// The next reading for `t`: time `paced_t0 + seq`, a value that differs
/// from its last one (0.01 .. 1.00), so every reading is a delta.
twin::reading next_reading(paced_target& t, uint64_t seq);

/// The lamps and bins of `c`.
std::vector<paced_target> lamps_and_bins(const twin::city& c);

/// CLOCK_MONOTONIC in nanoseconds: the same clock in every process.
int64_t monotonic_ns();

/// Sends readings to `routers` (by `shard_of`) at `rate` per second for
/// `seconds`, in a batch per shard every millisecond, round robin over
/// `targets`; stamps `sent_at[seq]` with each one's send time. Stops early
/// when `sent_at` is full. How many it sent.
size_t send_paced(const std::vector<actors::router_actor>& routers,
                  std::vector<paced_target>& targets, double rate,
                  double seconds, uint64_t& seq,
                  std::vector<std::atomic<int64_t>>& sent_at);

/// The `p` quantile of sorted nanoseconds, in milliseconds.
double percentile_ms(const std::vector<int64_t>& sorted, double p);

} // namespace citytwin::bench
