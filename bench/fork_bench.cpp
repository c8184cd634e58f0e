// bench/fork_bench.cpp
#include "bench/fork_bench.hpp"

#include "actors/runtime.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "bench/paced_ingest.hpp"
#include "bench/twin_bench.hpp"
#include "scenarios/live_conditions.hpp"
#include "scenarios/scenario_service.hpp"
#include "twin/city_file.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace citytwin::bench {

namespace {

const char* section = "What-if scenarios (issue 14)";

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
  struct fork_run {
    double from = 0, to = 0;
    size_t states = 0;
  };
  std::vector<fork_run> roads, everything;
  double baseline = 0, offered = 0;
  {
    // Bounded: three seconds of ingest alone, the forks 1 s apart (each
    // waited for at most 60 s), a second after.
    paced_ingest load{sys, city, *handles, rate};
    auto fork_series = [&](uint32_t kinds) {
      std::vector<fork_run> result;
      caf::scoped_actor self{sys};
      for (int i = 0; i < forks; ++i) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        fork_run f;
        f.from = load.elapsed();
        self->request(handles->front, std::chrono::seconds(60),
                      actors::fork_atom_v, kinds)
          .receive([&](actors::twin_fork& x) { f.states = x.states.size(); },
                   [&](caf::error&) { f.states = 0; });
        f.to = load.elapsed();
        result.push_back(f);
      }
      return result;
    };
    // The ingest alone first: its steady rate is what a fork must not
    // disturb (the first second wakes the lazily spawned entities).
    std::this_thread::sleep_for(std::chrono::seconds(3));
    roads = fork_series(scenarios::live_fork_kinds());
    everything = fork_series(0xFFFFFFFFu);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    load.stop();
    baseline = load.applied_rate(1, 3);
    offered = load.offered_rate();
    auto report = [&](const std::vector<fork_run>& runs,
                      const std::string& what) {
      std::vector<double> wall, during;
      size_t states = 0;
      bool all_ok = true;
      for (const auto& f : runs) {
        wall.push_back(f.to - f.from);
        states = f.states;
        all_ok = all_ok && f.states > 0;
        during.push_back(load.applied_rate(f.from, f.to) / 1000);
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
                    "during the forks %s k/s; ingest alone %.1f k/s "
                    "(offered %.1f k/s)",
                    min_median_max(during, "%.1f").c_str(), baseline / 1000,
                    offered / 1000);
      rows.push_back({section,
                      "readings applied/s during the forks of " + what
                        + " (min / median / max) vs the ingest alone",
                      "undisturbed", measured});
    };
    report(roads, "the road state (segments, intersections, counters)");
    report(everything, "every entity");
  }
  actors::stop_twin(sys, *handles);
  return rows;
}

std::vector<row> run_side_by_side_benchmark(const std::string& city_file,
                                            const std::string& scenario_file,
                                            double rate) {
  std::vector<row> rows;
  const std::string figure
    = "two what-if runs side by side on the served demo city "
      "(stadium_concert.yaml, 9 h of 20,000 visitors each) while it takes "
      + std::to_string(static_cast<int>(rate / 1000)) + "k readings/s";
  auto city = twin::load_city(city_file);
  std::ifstream in{scenario_file};
  std::stringstream text;
  text << in.rdbuf();
  if (!city || !in) {
    rows.push_back({section, figure, "live twin keeps serving",
                    "not measured: cannot read " + city_file + " or "
                      + scenario_file});
    return rows;
  }
  caf::actor_system_config cfg;
  actors::configure(cfg, actors::runtime_settings{});
  caf::actor_system sys{cfg};
  auto handles = actors::spawn_twin(sys, *city);
  if (!handles) {
    rows.push_back({section, figure, "live twin keeps serving",
                    "not measured: " + to_string(handles.error())});
    return rows;
  }
  auto service = scenarios::spawn_scenario_service(
    sys, handles->front, std::make_shared<const twin::city>(*city));
  std::vector<double> run_s;
  double alone = 0, during = 0, offered = 0, runs_from = 0, runs_to = 0;
  std::string failed;
  {
    paced_ingest load{sys, *city, *handles, rate};
    std::this_thread::sleep_for(std::chrono::seconds(3));
    caf::scoped_actor self{sys};
    runs_from = load.elapsed();
    std::vector<uint64_t> ids;
    for (int i = 0; i < 2; ++i)
      self->request(service, std::chrono::seconds(30), actors::start_atom_v,
                    text.str(), std::string{"planner:bench"})
        .receive([&](uint64_t id) { ids.push_back(id); },
                 [&](caf::error& err) { failed = to_string(err); });
    // Both done, or 120 s: the load stops by itself then in any case.
    for (bool all_done = ids.empty(); !all_done && load.elapsed() < 110;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      all_done = true;
      run_s.clear();
      for (auto id : ids)
        self->request(service, std::chrono::seconds(30), caf::get_atom_v, id)
          .receive(
            [&](const actors::scenario_report& r) {
              if (r.status == "failed")
                failed = r.error;
              all_done = all_done
                         && (r.status == "done" || r.status == "failed");
              run_s.push_back(r.fork_s + r.run_s);
            },
            [&](caf::error& err) { failed = to_string(err); });
    }
    runs_to = load.elapsed();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    load.stop();
    alone = load.applied_rate(1, 3);
    during = load.applied_rate(runs_from, runs_to);
    offered = load.offered_rate();
  }
  caf::anon_send_exit(service, caf::exit_reason::user_shutdown);
  actors::stop_twin(sys, *handles);
  char measured[512];
  if (!failed.empty() || run_s.size() != 2)
    std::snprintf(measured, sizeof measured, "failed: %s", failed.c_str());
  else
    std::snprintf(measured, sizeof measured,
                  "both done in %.1f s wall (each %.1f and %.1f s from fork "
                  "to results); readings applied meanwhile %.1f k/s, alone "
                  "%.1f k/s (offered %.1f k/s)",
                  runs_to - runs_from, run_s[0], run_s[1], during / 1000,
                  alone / 1000, offered / 1000);
  rows.push_back({section, figure, "live twin keeps serving", measured});
  return rows;
}

} // namespace citytwin::bench
