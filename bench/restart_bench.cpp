// bench/restart_bench.cpp
#include "bench/restart_bench.hpp"

#include "actors/runtime.hpp"
#include "actors/spawn_twin.hpp"
#include "adapters/archive/tenant_archive.hpp"
#include "adapters/archive/tenant_bundle.hpp"
#include "twin/city_file.hpp"
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

move_result measure_move(const std::string& city_file,
                         const std::string& folder) {
  move_result result;
  auto c = twin::load_city(city_file);
  if (!c) {
    result.skipped = twin::describe(c.error());
    return result;
  }
  std::filesystem::remove_all(folder);
  auto source = std::filesystem::path{folder} / "a";
  auto target = std::filesystem::path{folder} / "b";
  auto segments = source / c->name / "segments";
  std::filesystem::create_directories(segments);
  std::vector<twin::entity_state> states;
  twin::for_each_initial_state(
    *c, [&](const twin::entity_state& st) { states.push_back(st); });
  // A week at one sample a minute, a segment per day, as the writer would
  // leave them after compaction.
  constexpr twin::time_ms t0 = 1'700'000'000'000;
  constexpr int days = 7;
  constexpr int per_day = 1440;
  std::vector<archive::stream_block> last_day;
  for (int day = 0; day < days; ++day) {
    std::vector<archive::stream_block> blocks;
    blocks.reserve(states.size());
    uint64_t seq = 0;
    for (const auto& st : states) {
      archive::stream_block b;
      twin::reading r;
      for (int m = 0; m < per_day; ++m) {
        if (!reading_for(st, ++seq, r))
          break;
        b.samples.push_back(
          {t0 + (static_cast<twin::time_ms>(day) * per_day + m) * 60'000,
           r.value});
      }
      if (b.samples.empty())
        continue;
      b.name = {twin::to_urn(st.id, c->name),
                std::string{twin::info(r.what).ngsi}};
      b.unit = std::string{twin::info(r.what).unit};
      result.samples += b.samples.size();
      blocks.push_back(std::move(b));
    }
    result.streams = blocks.size();
    auto name = "2023111" + std::to_string(4 + day) + "T000000Z-00000"
                + std::to_string(day + 1) + ".h5";
    if (auto err = archive::write_segment(segments / name,
                                          {c->name, 0, 0, 0}, blocks)) {
      result.skipped = twin::describe(err);
      return result;
    }
  }
  archive::bundle_options opts;
  opts.archive_root = source;
  opts.tenant = c->name;
  opts.city_file = city_file;
  opts.output = std::filesystem::path{folder} / "week.snapshot";
  auto t = clock_type::now();
  auto snap = archive::write_bundle(opts);
  if (!snap) {
    result.skipped = twin::describe(snap.error());
    return result;
  }
  result.snapshot_s = since(t);
  result.snapshot_bytes = std::filesystem::file_size(opts.output);
  t = clock_type::now();
  auto restored = archive::read_bundle(opts.output, target);
  if (!restored) {
    result.skipped = twin::describe(restored.error());
    return result;
  }
  result.restore_s = since(t);
  t = clock_type::now();
  archive::archive_options aopts;
  aopts.root = target;
  aopts.tenant = c->name;
  aopts.city = c->name;
  auto reopened = archive::tenant_archive::open(aopts);
  if (!reopened) {
    result.skipped = twin::describe(reopened.error());
    return result;
  }
  auto state = (*reopened)->latest_state();
  if (!state) {
    result.skipped = twin::describe(state.error());
    return result;
  }
  result.reopen_s = since(t);
  std::filesystem::remove_all(folder);
  return result;
}

} // namespace citytwin::bench
