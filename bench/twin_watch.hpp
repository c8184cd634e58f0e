// bench/twin_watch.hpp: the twin's progress read from outside, for the
// benchmarks that wait until a twin has applied what they sent.
#pragma once

#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "bench/ingest_bench.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>

namespace citytwin::bench {

// The twin's counters, summed over its shards.
struct twin_progress {
  uint64_t readings = 0;     // received by the routers
  uint64_t unknown = 0;      // of which for no entity
  uint64_t rejected = 0;     // of which entities refused
  uint64_t messages_out = 0; // per-entity messages the routers sent
  uint64_t deltas = 0;       // deltas the entities published

  bool operator==(const twin_progress&) const = default;
};

// Reads the twin's counters from outside: fine for a benchmark, never on
// a hot path (a blocking round trip per actor).
class twin_watch {
public:
  twin_watch(caf::actor_system& sys, const actors::twin_handles& h,
             std::chrono::steady_clock::time_point start)
    : self_(sys), handles_(h), last_change_(start), start_(start) {
    // nop
  }

  // Reads the counters again; true if anything moved.
  bool poll() {
    twin_progress now;
    for (const auto& r : handles_.routers)
      self_->request(r, caf::infinite, actors::stats_atom_v)
        .receive(
          [&](const actors::router_stats& s) {
            now.readings += s.readings;
            now.unknown += s.unknown_entity;
            now.messages_out += s.messages_out;
          },
          [](const caf::error&) {});
    for (const auto& p : handles_.publishers)
      self_->request(p, caf::infinite, actors::stats_atom_v)
        .receive(
          [&](const actors::publisher_stats& s) {
            now.deltas += s.deltas;
            now.rejected += s.readings_rejected;
          },
          [](const caf::error&) {});
    if (now == last_)
      return false;
    last_ = now;
    last_change_ = std::chrono::steady_clock::now();
    return true;
  }

  // Every one of `expected` readings arrived and every entity message was
  // applied: every reading of a bench stream changes its entity, so each
  // message to an entity, even a pack split between two router batches,
  // publishes one delta.
  bool done(uint64_t expected) const {
    return last_.readings >= expected && last_.deltas >= last_.messages_out;
  }

  std::chrono::steady_clock::time_point last_change() const {
    return last_change_;
  }

  applied_result result(bool finished) const {
    applied_result r;
    r.readings_applied = last_.readings - last_.unknown - last_.rejected;
    r.readings_rejected = last_.unknown + last_.rejected;
    r.seconds = std::chrono::duration<double>(last_change_ - start_).count();
    r.finished = finished;
    return r;
  }

private:
  caf::scoped_actor self_;
  const actors::twin_handles& handles_;
  twin_progress last_;
  std::chrono::steady_clock::time_point last_change_;
  std::chrono::steady_clock::time_point start_;
};

} // namespace citytwin::bench
