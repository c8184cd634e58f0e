// actors/defaults.hpp
#pragma once

#include <caf/duration.hpp>

#include <cstddef>

namespace citytwin::actors::defaults {

/// A PUBLISHER sends a subscriber's batch once it holds this many deltas,
/// and otherwise whenever its mailbox runs empty: large batches under load,
/// no waiting when the city is quiet.
constexpr size_t max_delta_batch = 1024;

/// Threads that spawn entity actors at boot. Spawning is CPU-bound and
/// thread-safe; two threads use both cores of the reference machine.
constexpr size_t spawn_threads = 2;

/// Timeout of requests between our own actors on one node: none. A shard
/// that dies answers with an error anyway, and in CAF 0.17.6 a pending
/// request timer keeps its sender alive in the clock thread, which
/// deadlocks shutdown when it drops the last reference to a twin.
constexpr auto internal_timeout = caf::infinite;

/// Entries the AUDIT log keeps; older ones are dropped (and counted).
constexpr size_t audit_capacity = 100'000;

// On a cluster, each TWIN keeps the readings it routed in the last this
// many seconds: a dead node is seen within 1.75 s and its shards come up
// elsewhere within seconds, and the new node gets them again.
constexpr uint32_t cluster_replay_s = 10;

/// Simulated seconds the synthetic feed advances per tick.
constexpr long feed_step_s = 60;

/// Wall-clock milliseconds between two ticks of the synthetic feed.
constexpr long feed_tick_ms = 1000;

} // namespace citytwin::actors::defaults
