// bench/paced_ingest.cpp
#include "bench/paced_ingest.hpp"

#include "actors/shard.hpp"
#include "actors/type_ids.hpp"
#include "bench/twin_bench.hpp"

#include <caf/scoped_actor.hpp>

#include <algorithm>
#include <random>

namespace citytwin::bench {

namespace {

// The whole load is bounded even if nobody stops it.
constexpr double max_seconds = 120;

} // namespace

paced_ingest::paced_ingest(caf::actor_system& sys, const twin::city& city,
                           const actors::twin_handles& twin, double rate) {
  auto drivable = std::make_shared<std::vector<twin::entity_state>>();
  twin::for_each_initial_state(city, [&](twin::entity_state st) {
    twin::reading probe;
    if (reading_for(st, 0, probe))
      drivable->push_back(std::move(st));
  });
  std::mt19937_64 rng{7};
  std::shuffle(drivable->begin(), drivable->end(), rng);
  start_ = clock_type::now();
  pacer_ = std::thread([this, drivable, routers = twin.routers, rate] {
    auto shards = routers.size();
    std::vector<twin::reading_batch> open(shards);
    uint64_t seq = 0;
    size_t next = 0;
    for (uint64_t ms = 0; !stop_.load() && elapsed() < max_seconds; ++ms) {
      std::this_thread::sleep_until(start_ + std::chrono::milliseconds(ms));
      auto due = static_cast<uint64_t>(elapsed() * rate);
      auto n = due > seq ? due - seq : 0;
      auto sim = twin::time_ms{1'700'000'000'000}
                 + static_cast<twin::time_ms>(elapsed() * 1000);
      for (uint64_t k = 0; k < n; ++k) {
        const auto& st = (*drivable)[next++ % drivable->size()];
        twin::reading x;
        reading_for(st, ++seq, x);
        x.time = sim;
        open[actors::shard_of(x.target, shards)].push_back(x);
      }
      for (size_t s = 0; s < shards; ++s)
        if (!open[s].empty()) {
          caf::anon_send(routers[s], actors::observe_atom_v,
                         std::move(open[s]));
          open[s] = {};
        }
      sent_ = seq;
    }
  });
  sampler_ = std::thread([this, &sys, front = twin.front] {
    caf::scoped_actor self{sys};
    while (!stop_.load() && elapsed() < max_seconds + 1) {
      uint64_t deltas = 0;
      self->request(front, caf::infinite, actors::stats_atom_v)
        .receive([&](const actors::twin_stats& s) { deltas = s.deltas; },
                 [](const caf::error&) {});
      {
        std::lock_guard<std::mutex> guard{mutex_};
        samples_.push_back({elapsed(), deltas});
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
}

paced_ingest::~paced_ingest() {
  stop();
}

double paced_ingest::elapsed() const {
  return std::chrono::duration<double>(clock_type::now() - start_).count();
}

void paced_ingest::stop() {
  if (stop_.exchange(true))
    return;
  if (pacer_.joinable())
    pacer_.join();
  if (sampler_.joinable())
    sampler_.join();
  end_ = clock_type::now();
}

double paced_ingest::applied_rate(double from, double to) const {
  std::lock_guard<std::mutex> guard{mutex_};
  const sample* a = nullptr;
  const sample* b = nullptr;
  for (const auto& s : samples_) {
    if (s.t <= from)
      a = &s;
    if (b == nullptr && s.t >= to)
      b = &s;
  }
  if (a == nullptr || b == nullptr || b->t <= a->t)
    return 0;
  return double(b->deltas - a->deltas) / (b->t - a->t);
}

double paced_ingest::offered_rate() const {
  auto seconds = std::chrono::duration<double>(end_ - start_).count();
  return seconds > 0 ? double(sent_.load()) / seconds : 0;
}

} // namespace citytwin::bench
