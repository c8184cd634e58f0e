// bench/twin_bench.cpp
#include "bench/twin_bench.hpp"

#include "actors/runtime.hpp"
#include "actors/shard.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "twin/city_generator.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <thread>

namespace citytwin::bench {

namespace {

using clock_type = std::chrono::steady_clock;
using twin::entity_kind;
using twin::quantity;

constexpr twin::time_ms t0 = 1'700'000'000'000;
// Readings per message to a router: a typical ingest batch.
constexpr size_t router_batch = 4096;

double since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}


uint64_t published_deltas(caf::scoped_actor& self,
                          const actors::twin_handles& h) {
  uint64_t result = 0;
  for (const auto& p : h.publishers)
    self->request(p, caf::infinite, actors::stats_atom_v)
      .receive([&](const actors::publisher_stats& s) { result += s.deltas; },
               [](const caf::error&) {});
  return result;
}

} // namespace

bool reading_for(const twin::entity_state& st, uint64_t seq,
                 twin::reading& out) {
  out.target = st.id;
  out.time = t0 + static_cast<twin::time_ms>(seq) * 1000;
  auto s = static_cast<double>(seq);
  switch (st.id.kind) {
    case entity_kind::intersection: {
      auto phases = st.as<twin::intersection_state>().num_phases;
      if (phases == 0)
        return false;
      out.what = quantity::signal_phase;
      out.value = double(seq % phases);
      return true;
    }
    case entity_kind::road_segment:
    case entity_kind::traffic_counter:
      out.what = quantity::vehicle_flow;
      out.value = double(seq % 20000);
      return true;
    case entity_kind::street_lamp:
      out.what = quantity::dim_level;
      out.value = double(seq % 101) / 100;
      return true;
    case entity_kind::waste_bin:
      out.what = quantity::fill_level;
      out.value = double(seq % 101) / 100;
      return true;
    case entity_kind::air_quality:
      out.what = quantity::pm10;
      out.value = double(seq % 1000);
      return true;
    case entity_kind::noise_sensor:
      out.what = quantity::noise_level;
      out.value = 30 + double(seq % 100);
      return true;
    case entity_kind::parking_sensor:
      out.what = quantity::free_spaces;
      out.value = double(seq % 20); // every car park has >= 20 spaces
      return true;
    case entity_kind::energy_meter:
      out.what = quantity::energy;
      out.value = s;
      return true;
    case entity_kind::camera:
      out.what = quantity::people_count;
      out.value = double(seq % 1000);
      return true;
  }
  return false;
}

twin::city make_city(size_t entities, uint64_t seed) {
  twin::generator_options opts;
  opts.seed = seed;
  opts.name = "bench";
  // The demo's mix per segment: 1 segment, ~0.26 intersections, 2.5 lamps,
  // 0.25 bins, 0.15 sensors: ~4.16 entities per segment.
  opts.segments = std::max<size_t>(8, size_t(double(entities) / 4.16));
  auto probe = twin::generate_city([&] {
    auto o = opts;
    o.lamps = o.bins = o.sensors = 1;
    return o;
  }());
  auto roads = probe->roads.num_segments() + probe->roads.num_intersections();
  auto rest = entities > roads ? entities - roads : 3;
  opts.lamps = std::max<size_t>(1, rest * 2500 / 2900);
  opts.bins = std::max<size_t>(1, rest * 250 / 2900);
  opts.sensors = std::max<size_t>(1, rest - opts.lamps - opts.bins);
  return *twin::generate_city(opts);
}

spawn_result measure_spawn(const twin::city& c, const std::string& scheduler) {
  caf::actor_system_config cfg;
  actors::configure(cfg, {scheduler, 0});
  caf::actor_system sys{cfg};
  sys.await_actors_before_shutdown(false);
  auto rss_before = actors::resident_memory_bytes();
  auto start = clock_type::now();
  auto handles = actors::spawn_twin(sys, c);
  spawn_result result;
  result.seconds = since(start);
  result.entities = c.num_entities();
  result.bytes_per_entity = double(actors::resident_memory_bytes()
                                   - rss_before)
                            / double(c.num_entities());
  actors::stop_twin(sys, *handles);
  return result;
}

throughput_result measure_throughput(const twin::city& c,
                                     const actors::runtime_settings& runtime,
                                     size_t per_message, size_t rounds,
                                     double time_limit_s) {
  caf::actor_system_config cfg;
  actors::configure(cfg, runtime);
  caf::actor_system sys{cfg};
  sys.await_actors_before_shutdown(false);
  auto handles = actors::spawn_twin(sys, c);
  auto shards = handles->routers.size();
  // Build every batch before the clock starts: we measure the twin, not
  // the load generator.
  std::vector<twin::entity_state> states;
  twin::for_each_initial_state(
    c, [&](twin::entity_state st) { states.push_back(std::move(st)); });
  throughput_result result;
  std::vector<std::vector<twin::reading_batch>> batches(shards);
  std::vector<twin::reading_batch> open(shards);
  for (size_t round = 0; round < rounds; ++round)
    for (const auto& st : states) {
      auto shard = actors::shard_of(st.id, shards);
      twin::reading x;
      bool drivable = true;
      for (size_t k = 0; k < per_message && drivable; ++k) {
        drivable = reading_for(st, round * per_message + k, x);
        if (drivable)
          open[shard].push_back(x);
      }
      if (!drivable)
        continue;
      if (round == 0)
        ++result.entities_driven;
      result.readings_sent += per_message;
      if (open[shard].size() >= router_batch)
        batches[shard].push_back(std::move(open[shard])), open[shard] = {};
    }
  for (size_t s = 0; s < shards; ++s)
    if (!open[s].empty())
      batches[s].push_back(std::move(open[s]));
  states.clear();
  states.shrink_to_fit();
  auto expected_deltas = result.entities_driven * rounds;
  caf::scoped_actor self{sys};
  auto start = clock_type::now();
  // One sender thread per shard, like one ingest connection per shard.
  std::vector<std::thread> senders;
  for (size_t s = 0; s < shards; ++s)
    senders.emplace_back([&, s] {
      for (auto& b : batches[s])
        caf::anon_send(handles->routers[s], actors::observe_atom_v,
                       std::move(b));
    });
  for (auto& t : senders)
    t.join();
  for (;;) {
    result.deltas = published_deltas(self, *handles);
    result.seconds = since(start);
    if (result.deltas >= expected_deltas) {
      result.finished = true;
      break;
    }
    if (result.seconds > time_limit_s)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Every delta stands for one message of `per_message` applied readings.
  result.readings_applied = result.deltas * per_message;
  actors::stop_twin(sys, *handles);
  return result;
}

} // namespace citytwin::bench
