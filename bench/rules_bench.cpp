// bench/rules_bench.cpp
#include "bench/rules_bench.hpp"

#include "actors/runtime.hpp"
#include "actors/shard.hpp"
#include "actors/spawn_rules.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "adapters/rules/rule_file.hpp"
#include "bench/twin_bench.hpp"
#include "twin/rules/city_index.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>

namespace citytwin::bench {

namespace {

using clock_type = std::chrono::steady_clock;
using twin::entity_id;
using twin::entity_kind;

double since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           clock_type::now().time_since_epoch())
    .count();
}

// The rule file: one rule per road segment that has lamps, as a city with
// lamps on a thousand streets would write them.
std::string rule_file(const std::vector<entity_id>& roads,
                      const std::string& city) {
  std::ostringstream out;
  out << "version: 1\nrules:\n";
  for (size_t i = 0; i < roads.size(); ++i)
    out << "  - id: lights-" << i << "\n    entity: "
        << twin::to_urn(roads[i], city)
        << "\n    when:\n      - attribute: vehicle_flow\n        above: 600\n"
           "    then:\n      - command: dim\n        to: { kind: street_lamp, "
           "along: self }\n        level: 1.0\n    otherwise:\n      - "
           "command: dim\n        to: { kind: street_lamp, along: self }\n"
           "        level: 0.3\n";
  return out.str();
}

// Time from a trigger's send to the first lamp delta it caused.
struct latency_probe {
  std::vector<std::atomic<int64_t>> sent_ns; // per rule road
  std::unordered_map<uint64_t, uint32_t> road_of_lamp;
  std::mutex mtx;
  std::vector<double> ms;
  std::atomic<size_t> actuations{0};

  explicit latency_probe(size_t n) : sent_ns(n) {
  }

  void seen(const twin::delta& d) {
    if ((d.changed & twin::actuation_bit) == 0)
      return;
    ++actuations;
    auto i = road_of_lamp.find(twin::pack(d.state.id));
    if (i == road_of_lamp.end())
      return;
    auto sent = sent_ns[i->second].exchange(0);
    if (sent == 0)
      return; // another lamp of the same trigger came first
    std::lock_guard<std::mutex> guard{mtx};
    ms.push_back(double(now_ns() - sent) / 1e6);
  }
};

uint64_t applied(caf::scoped_actor& self, const actors::twin_handles& h) {
  uint64_t result = 0;
  self->request(h.front, caf::infinite, actors::stats_atom_v)
    .receive([&](const actors::twin_stats& s) { result = s.readings_applied(); },
             [](const caf::error&) {});
  return result;
}

struct run_figures {
  double offered = 0, sustained = 0, drain_s = 0;
  size_t triggers = 0;
  double cpu_s = 0;      ///< process CPU time over load and drain
  uint64_t applied = 0;  ///< readings applied
};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return double(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// Windowed aggregates as a city would write many: per district (cells of
// 250 m to 4 km) over each kind's main attribute, every function, 5-minute
// windows sliding by a minute.
std::string aggregate_file(size_t n) {
  const std::pair<const char*, const char*> sources[] = {
    {"road_segment", "vehicle_flow"}, {"street_lamp", "dim_level"},
    {"waste_bin", "fill_level"},      {"air_quality", "pm10"},
    {"noise_sensor", "noise_level"},  {"parking_sensor", "free_spaces"},
    {"traffic_counter", "vehicle_flow"}};
  const char* functions[] = {"avg", "max", "min", "sum", "count", "p95"};
  const int cells[] = {250, 500, 1000, 2000, 4000};
  std::ostringstream out;
  out << "version: 1\nrules: []\naggregates:\n";
  for (size_t i = 0; i < n; ++i) {
    auto [kind, attr] = sources[i % 7];
    out << "  - { id: agg-" << i << ", attribute: " << attr << ", of: ["
        << kind << "], group_by: district, district_m: " << cells[i % 5]
        << ", function: " << functions[i % 6]
        << ", window: 5m, every: 1m }\n";
  }
  return out.str();
}

// Offers `rate` readings/s for `seconds` from one pacing thread, each
// millisecond's share split per shard; `trigger_share` of them flip the
// flow of a rule's road. Waits (at most 10 s) for the backlog to drain.
run_figures load(caf::actor_system& sys, const actors::twin_handles& h,
                 const std::vector<twin::entity_state>& background,
                 const std::vector<entity_id>& roads, latency_probe* probe,
                 const rules_settings& s) {
  caf::scoped_actor self{sys};
  auto shards = h.routers.size();
  run_figures result;
  auto before = applied(self, h);
  auto cpu_before = cpu_seconds();
  auto start = clock_type::now();
  uint64_t sent = 0, routed = 0, seq = 0;
  double trigger_credit = 0;
  size_t next_road = 0, next_bg = 0;
  std::vector<uint32_t> flips(roads.size(), 0);
  std::vector<twin::reading_batch> open(shards);
  for (uint64_t ms = 0; since(start) < s.seconds; ++ms) {
    // Pace: by the ms-th slice, rate * elapsed readings have left (a late
    // wake-up sends more at once, so the offered rate holds).
    std::this_thread::sleep_until(start + std::chrono::milliseconds(ms));
    auto elapsed = since(start);
    // Starts 3 s before a minute boundary, so that windows close (and
    // their cost is measured) within even a short run.
    auto sim = twin::time_ms{1'700'000'037'000}
               + static_cast<twin::time_ms>(elapsed * 1000);
    auto due = static_cast<uint64_t>(elapsed * s.rate);
    auto n = due > sent ? size_t(due - sent) : size_t{0};
    trigger_credit += double(n) * s.trigger_share * (roads.empty() ? 0 : 1);
    for (size_t k = 0; k < n; ++k) {
      twin::reading x;
      if (trigger_credit >= 1) {
        trigger_credit -= 1;
        auto r = next_road++ % roads.size();
        x = {roads[r], sim, (flips[r]++ % 2 == 0) ? 800.0 : 200.0,
             twin::quantity::vehicle_flow};
        if (probe)
          probe->sent_ns[r] = now_ns();
        ++result.triggers;
      } else {
        const auto& st = background[next_bg++ % background.size()];
        reading_for(st, ++seq, x); // background holds drivable ones only
        x.time = sim;
      }
      open[actors::shard_of(x.target, shards)].push_back(x);
      ++sent;
      ++routed;
    }
    for (size_t sh = 0; sh < shards; ++sh)
      if (!open[sh].empty()) {
        caf::anon_send(h.routers[sh], actors::observe_atom_v,
                       std::move(open[sh]));
        open[sh] = {};
      }
  }
  auto load_s = since(start);
  result.offered = double(routed) / load_s;
  auto drain_start = clock_type::now();
  uint64_t done = 0;
  while (since(drain_start) < 10) {
    done = applied(self, h) - before;
    if (done >= routed)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.drain_s = since(drain_start);
  result.sustained = double(done) / (load_s + result.drain_s);
  result.cpu_s = cpu_seconds() - cpu_before;
  result.applied = done;
  return result;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto i = static_cast<size_t>(p * double(v.size() - 1));
  return v[i];
}

} // namespace

rules_result run_rules(const rules_settings& s) {
  rules_result result;
  auto city = std::make_shared<const twin::city>(make_city(s.entities, 3));
  auto index = std::make_shared<const rules::city_index>(*city);
  std::vector<entity_id> roads;
  for (auto seg : index->all(entity_kind::road_segment)) {
    if (roads.size() >= s.rules)
      break;
    if (!index->along(seg, entity_kind::street_lamp).empty())
      roads.push_back(seg);
  }
  if (roads.size() < s.rules) {
    result.skipped = "the city has only " + std::to_string(roads.size())
                     + " roads with lamps";
    return result;
  }
  // Background readings go to everything but the rules' roads, which get
  // only the triggers.
  std::vector<twin::entity_state> background;
  {
    std::vector<entity_id> sorted = roads;
    std::sort(sorted.begin(), sorted.end());
    twin::for_each_initial_state(*city, [&](twin::entity_state st) {
      twin::reading probe_reading;
      if (!std::binary_search(sorted.begin(), sorted.end(), st.id)
          && reading_for(st, 0, probe_reading))
        background.push_back(std::move(st));
    });
    // A fixed shuffle, so consecutive readings hit different shards.
    std::mt19937_64 rng{7};
    std::shuffle(background.begin(), background.end(), rng);
  }
  auto text = rule_file(roads, city->name);
  auto t = clock_type::now();
  auto parsed = rules::parse_rule_file(text, "bench.yaml", city->name);
  result.parse_s = since(t);
  if (!parsed) {
    result.skipped = twin::describe(parsed.error()).substr(0, 200);
    return result;
  }
  t = clock_type::now();
  auto bound = rules::bind(
    std::make_shared<const rules::rule_set>(std::move(*parsed)), index);
  result.bind_s = since(t);
  if (!bound) {
    result.skipped = twin::describe(bound.error()).substr(0, 200);
    return result;
  }
  auto shared_bound
    = std::make_shared<const rules::bound_rules>(std::move(*bound));
  result.rules = shared_bound->source->rules.size();
  result.instances = shared_bound->instances.size();

  // Without rules once, then with rules `runs` times: the latency of a
  // noisy two-core machine is reported as min / median / max.
  std::vector<bool> plan{false};
  for (size_t r = 0; r < s.runs; ++r)
    plan.push_back(true);
  for (bool with_rules : plan) {
    caf::actor_system_config cfg;
    actors::configure(cfg, actors::runtime_settings{});
    caf::actor_system sys{cfg};
    sys.await_actors_before_shutdown(false);
    auto handles = actors::spawn_twin(sys, *city);
    auto probe = std::make_unique<latency_probe>(roads.size());
    actors::running_rules running;
    actors::subscriber_actor lamps_seen;
    if (with_rules) {
      for (uint32_t r = 0; r < roads.size(); ++r)
        for (auto lamp : index->along(roads[r], entity_kind::street_lamp))
          probe->road_of_lamp.emplace(twin::pack(lamp), r);
      running = actors::spawn_rules(sys, *handles, city->name, shared_bound);
      auto* p = probe.get();
      lamps_seen = sys.spawn(
        [p]() -> actors::subscriber_actor::behavior_type {
          return {[p](const twin::delta_batch& batch) {
            for (const auto& d : batch)
              p->seen(d);
          }};
        });
      caf::scoped_actor self{sys};
      self
        ->request(handles->front, caf::infinite, caf::subscribe_atom_v,
                  lamps_seen,
                  actors::subscription_filter{}.with(entity_kind::street_lamp))
        .receive([](caf::ok_atom) {}, [](const caf::error&) {});
      // Let the RULES actors subscribe and learn their inputs first.
      std::this_thread::sleep_for(std::chrono::seconds(2));
    }
    auto figures = load(sys, *handles, background, roads,
                        with_rules ? probe.get() : nullptr, s);
    if (with_rules) {
      result.offered = figures.offered;
      result.sustained_with.push_back(figures.sustained);
      result.drain_with_s = std::max(result.drain_with_s, figures.drain_s);
      result.triggers += figures.triggers;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      {
        std::lock_guard<std::mutex> guard{probe->mtx};
        result.p50_ms.push_back(percentile(probe->ms, 0.5));
        result.p99_ms.push_back(percentile(probe->ms, 0.99));
        result.max_ms.push_back(
          probe->ms.empty()
            ? 0
            : *std::max_element(probe->ms.begin(), probe->ms.end()));
        result.actuations += probe->ms.size();
      }
      actors::stop_rules(sys, running);
      caf::anon_send_exit(lamps_seen, caf::exit_reason::user_shutdown);
    } else {
      result.sustained_without = figures.sustained;
      result.drain_without_s = figures.drain_s;
      result.cpu_per_m_without
        = figures.applied ? figures.cpu_s / double(figures.applied) * 1e6 : 0;
    }
    actors::stop_twin(sys, *handles);
  }
  // The same load (no triggers) with windowed aggregates only.
  if (s.aggregates > 0) {
    auto parsed = rules::parse_rule_file(aggregate_file(s.aggregates),
                                         "aggregates.yaml", city->name);
    if (!parsed) {
      result.skipped = twin::describe(parsed.error()).substr(0, 200);
      return result;
    }
    auto bound_aggregates = rules::bind(
      std::make_shared<const rules::rule_set>(std::move(*parsed)), index);
    if (!bound_aggregates) {
      result.skipped = twin::describe(bound_aggregates.error()).substr(0, 200);
      return result;
    }
    result.num_aggregates = bound_aggregates->source->aggregates.size();
    caf::actor_system_config cfg;
    actors::configure(cfg, actors::runtime_settings{});
    caf::actor_system sys{cfg};
    sys.await_actors_before_shutdown(false);
    auto handles = actors::spawn_twin(sys, *city);
    auto running = actors::spawn_rules(
      sys, *handles, city->name,
      std::make_shared<const rules::bound_rules>(
        std::move(*bound_aggregates)));
    std::this_thread::sleep_for(std::chrono::seconds(2));
    auto figures = load(sys, *handles, background, {}, nullptr, s);
    result.sustained_aggregates = figures.sustained;
    result.drain_aggregates_s = figures.drain_s;
    result.cpu_per_m_aggregates
      = figures.applied ? figures.cpu_s / double(figures.applied) * 1e6 : 0;
    actors::stop_rules(sys, running);
    actors::stop_twin(sys, *handles);
  }
  return result;
}

} // namespace citytwin::bench
