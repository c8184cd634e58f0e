// bench/fork_bench.cpp
#include "bench/fork_bench.hpp"

#include "actors/runtime.hpp"
#include "actors/shard.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "bench/twin_bench.hpp"
#include "scenarios/live_conditions.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

namespace citytwin::bench {

namespace {

using clock_type = std::chrono::steady_clock;

const char* section = "What-if scenarios (issue 14)";

double since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Deltas published so far: one per reading applied (every reading the
// load sends changes its entity).
uint64_t published(caf::scoped_actor& self, const actors::twin_handles& h) {
  uint64_t result = 0;
  self->request(h.front, caf::infinite, actors::stats_atom_v)
    .receive([&](const actors::twin_stats& s) { result = s.deltas; },
             [](const caf::error&) {});
  return result;
}

struct sample {
  double t = 0;
  uint64_t deltas = 0;
};

// Deltas per second between two times, from the samples around them.
double rate_between(const std::vector<sample>& samples, double from,
                    double to) {
  const sample* a = nullptr;
  const sample* b = nullptr;
  for (const auto& s : samples) {
    if (s.t <= from)
      a = &s;
    if (b == nullptr && s.t >= to)
      b = &s;
  }
  if (a == nullptr || b == nullptr || b->t <= a->t)
    return 0;
  return double(b->deltas - a->deltas) / (b->t - a->t);
}

std::string min_median_max(std::vector<double> v, const char* format) {
  std::sort(v.begin(), v.end());
  char buf[128];
  auto one = [&](double x) {
    std::snprintf(buf, sizeof buf, format, x);
    return std::string{buf};
  };
  return one(v.front()) + " / " + one(v[v.size() / 2]) + " / "
         + one(v.back());
}

} // namespace

std::vector<row> run_fork_benchmarks(size_t entities, double rate,
                                     int forks) {
  std::vector<row> rows;
  auto city = make_city(entities, 5);
  caf::actor_system_config cfg;
  actors::configure(cfg, actors::runtime_settings{});
  caf::actor_system sys{cfg};
  auto handles = actors::spawn_twin(sys, city);
  if (!handles) {
    rows.push_back({section, "fork of the live twin", "<= 1 s",
                    "not measured: " + to_string(handles.error())});
    return rows;
  }
  std::vector<twin::entity_state> drivable;
  twin::for_each_initial_state(city, [&](twin::entity_state st) {
    twin::reading probe;
    if (reading_for(st, 0, probe))
      drivable.push_back(std::move(st));
  });
  std::mt19937_64 rng{7};
  std::shuffle(drivable.begin(), drivable.end(), rng);
  auto shards = handles->routers.size();
  // The whole run is bounded: three seconds of load before the first
  // fork, a second between forks, a second after; each fork is waited for
  // (at most 60 s), the pacer stops after 120 s in any case.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> sent{0};
  auto start = clock_type::now();
  std::thread pacer([&] {
    std::vector<twin::reading_batch> open(shards);
    uint64_t seq = 0;
    size_t next = 0;
    for (uint64_t ms = 0; !stop.load() && since(start) < 120; ++ms) {
      std::this_thread::sleep_until(start + std::chrono::milliseconds(ms));
      auto due = static_cast<uint64_t>(since(start) * rate);
      auto n = due > seq ? due - seq : 0;
      auto sim = twin::time_ms{1'700'000'000'000}
                 + static_cast<twin::time_ms>(since(start) * 1000);
      for (uint64_t k = 0; k < n; ++k) {
        const auto& st = drivable[next++ % drivable.size()];
        twin::reading x;
        reading_for(st, ++seq, x);
        x.time = sim;
        open[actors::shard_of(x.target, shards)].push_back(x);
      }
      for (size_t s = 0; s < shards; ++s)
        if (!open[s].empty()) {
          caf::anon_send(handles->routers[s], actors::observe_atom_v,
                         std::move(open[s]));
          open[s] = {};
        }
      sent = seq;
    }
  });
  std::mutex samples_mutex;
  std::vector<sample> samples;
  std::thread sampler([&] {
    caf::scoped_actor self{sys};
    while (!stop.load()) {
      auto d = published(self, *handles);
      {
        std::lock_guard<std::mutex> guard{samples_mutex};
        samples.push_back({since(start), d});
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  struct fork_run {
    double from = 0, to = 0;
    size_t states = 0;
  };
  auto fork_series = [&](uint32_t kinds) {
    std::vector<fork_run> result;
    caf::scoped_actor self{sys};
    for (int i = 0; i < forks; ++i) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      fork_run f;
      f.from = since(start);
      self->request(handles->front, std::chrono::seconds(60),
                    actors::fork_atom_v, kinds)
        .receive([&](actors::twin_fork& x) { f.states = x.states.size(); },
                 [&](caf::error&) { f.states = 0; });
      f.to = since(start);
      result.push_back(f);
    }
    return result;
  };
  // The ingest alone first: its steady rate is what a fork must not
  // disturb (the first second wakes the lazily spawned entities).
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto roads = fork_series(scenarios::live_fork_kinds());
  auto everything = fork_series(0xFFFFFFFFu);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  stop = true;
  pacer.join();
  sampler.join();
  auto offered = double(sent.load()) / since(start);
  auto baseline = rate_between(samples, 1, 3);
  auto report = [&](const std::vector<fork_run>& runs, const std::string& what) {
    std::vector<double> wall, during;
    size_t states = 0;
    bool all_ok = true;
    for (const auto& f : runs) {
      wall.push_back(f.to - f.from);
      states = f.states;
      all_ok = all_ok && f.states > 0;
      during.push_back(rate_between(samples, f.from, f.to) / 1000);
    }
    char measured[512];
    std::snprintf(measured, sizeof measured, "%s s (%zu entity states%s)",
                  min_median_max(wall, "%.3f").c_str(), states,
                  all_ok ? "" : "; a fork failed");
    rows.push_back({section,
                    "fork of a " + std::to_string(city.num_entities())
                      + "-entity twin: " + what + ", under "
                      + std::to_string(static_cast<int>(rate / 1000))
                      + "k readings/s, " + std::to_string(forks)
                      + " forks, min / median / max",
                    "<= 1 s", measured});
    std::snprintf(measured, sizeof measured,
                  "during the forks %s k/s; ingest alone %.1f k/s (offered "
                  "%.1f k/s)",
                  min_median_max(during, "%.1f").c_str(), baseline / 1000,
                  offered / 1000);
    rows.push_back({section,
                    "readings applied/s during the forks of " + what
                      + " (min / median / max) vs the ingest alone",
                    "undisturbed", measured});
  };
  report(roads, "the road state (segments, intersections, counters)");
  report(everything, "every entity");
  actors::stop_twin(sys, *handles);
  return rows;
}

} // namespace citytwin::bench
