// actors/defaults.hpp
#pragma once

#include <cstddef>

namespace citytwin::actors::defaults {

/// A PUBLISHER sends a subscriber's batch once it holds this many deltas,
/// and otherwise whenever its mailbox runs empty: large batches under load,
/// no waiting when the city is quiet.
constexpr size_t max_delta_batch = 1024;

/// Threads that spawn entity actors at boot. Spawning is CPU-bound and
/// thread-safe; two threads use both cores of the reference machine.
constexpr size_t spawn_threads = 2;

/// Simulated seconds the synthetic feed advances per tick.
constexpr long feed_step_s = 60;

/// Wall-clock milliseconds between two ticks of the synthetic feed.
constexpr long feed_tick_ms = 1000;

} // namespace citytwin::actors::defaults
