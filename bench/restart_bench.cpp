// bench/restart_bench.cpp
#include "bench/restart_bench.hpp"

#include "actors/runtime.hpp"
#include "actors/spawn_twin.hpp"
#include "adapters/archive/tenant_archive.hpp"
#include "adapters/ingest/ingest_counters.hpp"
#include "adapters/ingest/shard_batcher.hpp"
#include "bench/twin_bench.hpp"
#include "bench/twin_watch.hpp"
#include "twin/error.hpp"

#include <caf/actor_system.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

namespace citytwin::bench {

namespace {

using clock_type = std::chrono::steady_clock;

double since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

} // namespace

restart_result measure_restart(size_t entities, const std::string& folder,
                               double time_limit_s) {
  restart_result result;
  auto c = make_city(entities, 5);
  result.entities = c.num_entities();
  std::filesystem::remove_all(folder);
  archive::archive_options opts;
  opts.root = folder;
  opts.tenant = c.name;
  opts.city = c.name;
  // What the server left: every entity's value in a segment and latest.bin,
  // and 1% newer ones only in the journal.
  twin::reading_batch all;
  uint64_t seq = 0;
  twin::for_each_initial_state(c, [&](const twin::entity_state& st) {
    twin::reading r;
    if (reading_for(st, ++seq, r))
      all.push_back(r);
  });
  {
    auto a = archive::tenant_archive::open(opts);
    if (!a) {
      result.skipped = twin::describe(a.error());
      return result;
    }
    auto keep = archive::keep_in(*a);
    constexpr size_t per_record = 10'000;
    for (size_t i = 0; i < all.size(); i += per_record) {
      twin::reading_batch part(
        all.begin() + static_cast<ptrdiff_t>(i),
        all.begin() + static_cast<ptrdiff_t>(std::min(all.size(), i + per_record)));
      if (auto err = keep(part)) {
        result.skipped = twin::describe(err);
        return result;
      }
    }
    while (true) {
      auto n = (*a)->catch_up(1'000'000);
      if (!n || *n == 0)
        break;
    }
    if (auto err = (*a)->publish(clock_type::now())) {
      result.skipped = twin::describe(err);
      return result;
    }
    twin::reading_batch tail;
    for (size_t i = 0; i < all.size(); i += 100) {
      auto r = all[i];
      r.time += 1000;
      tail.push_back(r);
    }
    if (auto err = keep(tail)) {
      result.skipped = twin::describe(err);
      return result;
    }
  }
  // The restart.
  caf::actor_system_config cfg;
  actors::configure(cfg, {"stealing", 0});
  caf::actor_system sys{cfg};
  sys.await_actors_before_shutdown(false);
  auto start = clock_type::now();
  auto handles = actors::spawn_twin(sys, c);
  if (!handles) {
    result.skipped = "the twin did not start";
    return result;
  }
  result.boot_s = since(start);
  auto t = clock_type::now();
  auto a = archive::tenant_archive::open(opts);
  if (!a) {
    result.skipped = twin::describe(a.error());
    actors::stop_twin(sys, *handles);
    return result;
  }
  result.open_s = since(t);
  t = clock_type::now();
  auto state = (*a)->latest_state();
  if (!state) {
    result.skipped = twin::describe(state.error());
    actors::stop_twin(sys, *handles);
    return result;
  }
  result.read_s = since(t);
  result.restored = state->size();
  t = clock_type::now();
  ingest::ingest_counters counters;
  ingest::shard_batcher batcher{handles->routers.size(), 4096,
                                ingest::router_sink(handles->routers),
                                counters};
  batcher.add(*state);
  batcher.flush();
  twin_watch watch{sys, *handles, t};
  auto deadline = t + std::chrono::duration_cast<clock_type::duration>(
                        std::chrono::duration<double>(time_limit_s));
  while (clock_type::now() < deadline) {
    watch.poll();
    if (watch.done(state->size())) {
      result.finished = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  result.apply_s = since(t);
  actors::stop_twin(sys, *handles);
  std::filesystem::remove_all(folder);
  return result;
}

} // namespace citytwin::bench
