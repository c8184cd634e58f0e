// scenarios/scenario_command.cpp: `citytwin scenario run`.
#include "scenarios/scenario_command.hpp"

#include "actors/system_config.hpp"
#include "scenarios/recommended_actions.hpp"
#include "scenarios/run_file.hpp"
#include "scenarios/run_summary.hpp"
#include "scenarios/scenario_file/scenario_reader.hpp"
#include "scenarios/scenario_setup.hpp"
#include "scenarios/scenario_workers.hpp"
#include "scenarios/concert_check.hpp"
#include "scenarios/sumo_check.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <cstdio>
#include <future>
#include <iostream>
#include <thread>
#include <unistd.h>

namespace citytwin::scenarios {

namespace {

struct run_options {
  std::string scenario;
  std::string city = "data/demo.city";
  std::string output;
  uint32_t partitions = 0; // 0: one per core
  bool quiet = false;
  bool apply_actions = false;
};

void print_progress(double done_s, double horizon_s, bool tty) {
  auto share = std::min(1.0, done_s / horizon_s);
  int width = 40;
  int filled = static_cast<int>(share * width);
  std::fprintf(stderr, "%s[%.*s%*s] %3.0f%% %6.0f / %.0f s%s",
               tty ? "\r" : "", filled,
               "########################################", width - filled, "",
               share * 100, done_s, horizon_s, tty ? "" : "\n");
  std::fflush(stderr);
}

std::string clock_text(const scenario_spec& spec, double t) {
  auto s = static_cast<long>(spec.start_s_of_day + t) % 86400;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 3600, s / 60 % 60);
  return buf;
}

void print_summary(const scenario_spec& spec, const scenario_setup& setup,
                   const run_summary& sum, double wall_s) {
  const auto& c = sum.counts;
  std::printf("scenario %s on %s: %llu trips, %llu arrived, %llu still "
              "driving, %llu never started, %llu unroutable, %llu "
              "teleports; %llu steps in %.2f s\n",
              spec.name.c_str(), spec.city.c_str(),
              (unsigned long long)c.trips, (unsigned long long)c.arrived,
              (unsigned long long)c.en_route, (unsigned long long)c.waiting,
              (unsigned long long)c.unroutable,
              (unsigned long long)c.teleports, (unsigned long long)c.steps,
              wall_s);
  for (size_t e = 0; e < setup.unparked_by_event.size(); ++e)
    if (setup.unparked_by_event[e] > 0)
      std::printf("  event %s: %llu cars found no parking space and are "
                  "not simulated\n",
                  spec.events[e].name.c_str(),
                  (unsigned long long)setup.unparked_by_event[e]);
  std::printf("%-20s %8s %8s %8s %8s %8s %8s %s\n", "group", "trips",
              "arrived", "mean s", "p50 s", "p95 s", "delay s", "cleared");
  for (const auto& g : sum.groups)
    std::printf("%-20s %8llu %8llu %8.0f %8.0f %8.0f %8.0f %s\n",
                g.name.c_str(), (unsigned long long)g.trips,
                (unsigned long long)g.arrived, g.mean_s, g.p50_s, g.p95_s,
                g.mean_delay_s,
                g.last_arrival_s < 0
                  ? "-"
                  : (g.en_route + g.waiting > 0
                       ? "not by the horizon"
                       : clock_text(spec, g.last_arrival_s).c_str()));
  std::printf("congested roads: %zu episodes\n", sum.congestion.size());
  for (size_t i = 0; i < std::min<size_t>(10, sum.congestion.size()); ++i) {
    const auto& e = sum.congestion[i];
    std::printf("  segment %u: %s-%s (%.0f min), queue up to %.0f veh, "
                "speed down to %.0f km/h\n",
                e.segment, clock_text(spec, e.from_s).c_str(),
                clock_text(spec, e.to_s).c_str(), (e.to_s - e.from_s) / 60,
                e.max_queue_veh, e.min_speed_km_h);
  }
  for (const auto& n : setup.notes)
    std::printf("note: %s\n", n.c_str());
}

void print_actions(const std::vector<recommended_action>& actions) {
  std::printf("recommended actions: %zu\n", actions.size());
  for (const auto& a : actions) {
    std::string who;
    for (auto x : a.audiences)
      who += (who.empty() ? "" : ", ") + std::string{to_string(x)};
    std::printf("  [%u] %s: %s\n      because %s\n", a.priority, who.c_str(),
                a.text.c_str(), a.reason.c_str());
  }
}

int compare(const std::string& path_a, const std::string& path_b);

int run(const run_options& opts) {
  auto city = twin::load_city(opts.city);
  if (!city) {
    std::cerr << "scenario: " << twin::describe(city.error()) << '\n';
    return 1;
  }
  auto spec = load_scenario(opts.scenario, *city);
  if (!spec) {
    std::cerr << "scenario: " << twin::describe(spec.error()) << '\n';
    return 1;
  }
  for (const auto& w : spec->warnings)
    std::cerr << "warning: " << w << '\n';
  auto parts = opts.partitions;
  if (parts == 0)
    parts = std::max(1u, std::thread::hardware_concurrency());
  auto setup = make_setup(*spec, *city, parts);
  if (!setup) {
    std::cerr << "scenario: " << twin::describe(setup.error()) << '\n';
    return 1;
  }
  caf::actor_system_config cfg;
  actors::register_types(cfg);
  caf::actor_system sys{cfg};
  bool tty = ::isatty(STDERR_FILENO);
  auto horizon = spec->horizon_s;
  auto simulate = [&](const std::vector<dynamic::network_edit>& extra) {
    std::promise<dynamic::model_result> done;
    auto future = done.get_future();
    run_hooks hooks;
    if (!opts.quiet)
      hooks.progress = [horizon, tty](double t) {
        print_progress(t, horizon, tty);
      };
    hooks.progress_every_s = std::max(60.0, horizon / 100);
    hooks.done = [&done](dynamic::model_result r) {
      done.set_value(std::move(r));
    };
    auto start = std::chrono::steady_clock::now();
    start_scenario_run(sys, make_model(*setup, extra), std::move(hooks));
    auto result = future.get();
    auto wall = std::chrono::duration<double>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    if (!opts.quiet && tty)
      std::fputc('\n', stderr);
    return std::make_pair(std::move(result), wall);
  };
  auto [result, wall] = simulate({});
  auto sum = summarize(setup->net, setup->trips, result);
  print_summary(*spec, *setup, sum, wall);
  auto actions = recommend_actions(*spec, *setup, result, sum, *city);
  print_actions(actions);
  auto out = opts.output.empty() ? spec->name + ".run.h5" : opts.output;
  if (auto err = write_run_file(out, *spec, *setup, result, sum, actions)) {
    std::cerr << "scenario: " << twin::describe(err) << '\n';
    return 1;
  }
  std::printf("run file: %s\n", out.c_str());
  if (!opts.apply_actions)
    return 0;
  // The same scenario again with the actions of one kind in effect, kind
  // by kind, so each kind's effect shows on its own (a diversion can
  // undo what more green gains).
  double base_minutes = 0;
  for (const auto& e : sum.congestion)
    base_minutes += (e.to_s - e.from_s) / 60;
  for (std::string kind : {"extend_green", "reroute"}) {
    std::vector<recommended_action> chosen;
    for (const auto& a : actions)
      if (a.kind == kind)
        chosen.push_back(a);
    auto edits = action_edits(chosen, *setup);
    if (edits.empty())
      continue;
    auto [applied, applied_wall] = simulate(edits);
    auto applied_sum = summarize(setup->net, setup->trips, applied);
    auto applied_out
      = out.substr(0, out.rfind(".run.h5")) + "." + kind + ".run.h5";
    auto again = recommend_actions(*spec, *setup, applied, applied_sum, *city);
    if (auto err = write_run_file(applied_out, *spec, *setup, applied,
                                  applied_sum, again)) {
      std::cerr << "scenario: " << twin::describe(err) << '\n';
      return 1;
    }
    double minutes = 0;
    for (const auto& e : applied_sum.congestion)
      minutes += (e.to_s - e.from_s) / 60;
    std::printf("\nwith the %zu %s action(s) in effect (%s, %.2f s):\n",
                chosen.size(), kind.c_str(), applied_out.c_str(),
                applied_wall);
    for (size_t g = 0; g < sum.groups.size(); ++g)
      std::printf("  %-16s mean %5.0f -> %5.0f s, p95 %5.0f -> %5.0f s, "
                  "arrived %llu -> %llu\n",
                  sum.groups[g].name.c_str(), sum.groups[g].mean_s,
                  applied_sum.groups[g].mean_s, sum.groups[g].p95_s,
                  applied_sum.groups[g].p95_s,
                  (unsigned long long)sum.groups[g].arrived,
                  (unsigned long long)applied_sum.groups[g].arrived);
    std::printf("  congested road-minutes %.0f -> %.0f: %s\n", base_minutes,
                minutes,
                minutes < base_minutes ? "these actions help"
                                       : "these actions do not help here");
  }
  return 0;
}

int concert_check(const concert_check_options& opts) {
  auto r = check_concert_egress(opts);
  if (!r) {
    std::cerr << "scenario sumo-check concert: " << twin::describe(r.error())
              << '\n';
    return 1;
  }
  auto pct = [](double ours, double ref) {
    return ref > 0 ? (ours / ref - 1) * 100 : 0.0;
  };
  std::printf("concert egress (Berlin-Adlershof): %llu background and %llu "
              "event trips, rerouting every %.0f s, until %.0f s\n",
              (unsigned long long)r->background_loaded,
              (unsigned long long)r->event_loaded, opts.reroute_period_s,
              opts.end_s);
  auto row = [&](const char* what, const concert_group& ours,
                 const concert_group& sumo) {
    std::printf("  %-11s completed citytwin %llu  sumo %llu   mean duration "
                "citytwin %.1f s  sumo %.1f s  (%+.1f %%)\n",
                what, (unsigned long long)ours.done,
                (unsigned long long)sumo.done, ours.mean_s, sumo.mean_s,
                pct(ours.mean_s, sumo.mean_s));
  };
  std::printf("  %llu trips generated; dropped %llu without a SUMO route "
              "(duarouter), %llu without one in ours\n",
              (unsigned long long)r->generated,
              (unsigned long long)r->dropped_sumo,
              (unsigned long long)r->dropped_ours);
  row("event", r->ours_event, r->sumo_event);
  row("background", r->ours_background, r->sumo_background);
  std::printf("  event trips both completed: %llu, mean citytwin %.1f s  "
              "sumo %.1f s  (%+.1f %%)\n",
              (unsigned long long)r->common_event, r->ours_common_mean_s,
              r->sumo_common_mean_s,
              pct(r->ours_common_mean_s, r->sumo_common_mean_s));
  std::printf("  unroutable (ours) %llu, teleports (ours) %llu; CPU citytwin "
              "%.2f s  sumo %.2f s\n",
              (unsigned long long)r->ours_unroutable,
              (unsigned long long)r->ours_teleports, r->ours_cpu_s,
              r->sumo_cpu_s);
  return 0;
}

int sumo_check(const sumo_check_options& opts) {
  if (opts.scenario == "concert") {
    concert_check_options c;
    c.saturation_veh_h_lane = opts.saturation_veh_h_lane;
    c.work_dir = opts.work_dir;
    c.background_trips = opts.concert_background_trips;
    c.event_trips = opts.concert_event_trips;
    return concert_check(c);
  }
  auto r = check_against_sumo(opts);
  if (!r) {
    std::cerr << "scenario sumo-check: " << twin::describe(r.error()) << '\n';
    return 1;
  }
  auto pct = [](double ours, double ref) {
    return ref > 0 ? (ours / ref - 1) * 100 : 0.0;
  };
  std::printf("%s: %llu vehicles loaded\n", r->scenario.c_str(),
              (unsigned long long)r->loaded);
  std::printf("  completed      citytwin %llu   sumo meso+jc %llu   (%+.1f %%)\n",
              (unsigned long long)r->ours_done,
              (unsigned long long)r->sumo_done,
              pct(double(r->ours_done), double(r->sumo_done)));
  std::printf("  mean duration  citytwin %.1f s   sumo meso+jc %.1f s   "
              "(%+.1f %%)\n",
              r->ours_mean_s, r->sumo_mean_s,
              pct(r->ours_mean_s, r->sumo_mean_s));
  std::printf("  CPU            citytwin %.3f s   sumo meso+jc %.3f s   "
              "(ratio 1/%.1f; simulation alone %.3f s)\n",
              r->ours_cpu_s, r->sumo_cpu_s,
              r->ours_cpu_s > 0 ? r->sumo_cpu_s / r->ours_cpu_s : 0.0,
              r->ours_sim_cpu_s);
  return 0;
}

/// Durations and clearance of one group in one run file.
struct group_figures {
  uint64_t trips = 0, arrived = 0;
  double mean_s = 0, p95_s = 0, last_arrival_s = -1;
};

group_figures figures_of(const run_file_contents& run, size_t group) {
  group_figures result;
  std::vector<double> d;
  for (size_t i = 0; i < run.trip_group.size(); ++i) {
    if (run.trip_group[i] != group)
      continue;
    ++result.trips;
    if (run.trip_outcome[i] != 0)
      continue;
    ++result.arrived;
    d.push_back(run.arrived_s[i] - run.inserted_s[i]);
    result.last_arrival_s = std::max(result.last_arrival_s, run.arrived_s[i]);
  }
  if (!d.empty()) {
    std::sort(d.begin(), d.end());
    double sum = 0;
    for (auto x : d)
      sum += x;
    result.mean_s = sum / d.size();
    result.p95_s = d[std::min(d.size() - 1, size_t(0.95 * d.size()))];
  }
  return result;
}

std::map<uint32_t, double> congested_minutes(const run_file_contents& run) {
  std::map<uint32_t, double> result;
  for (size_t i = 0; i < run.congested_segment.size(); ++i)
    result[run.congested_segment[i]]
      += (run.congested_to_s[i] - run.congested_from_s[i]) / 60;
  return result;
}

int compare(const std::string& path_a, const std::string& path_b) {
  auto a = read_run_file(path_a);
  auto b = a ? read_run_file(path_b) : caf::expected<run_file_contents>{
                 caf::make_error(twin::errc::io_failure)};
  for (const auto* r : {&a, &b})
    if (!*r) {
      std::cerr << "scenario compare: " << twin::describe(r->error()) << '\n';
      return 1;
    }
  std::printf("A: %s (%s)\nB: %s (%s)\n", a->scenario.c_str(),
              path_a.c_str(), b->scenario.c_str(), path_b.c_str());
  if (a->city != b->city)
    std::printf("note: different cities (%s, %s)\n", a->city.c_str(),
                b->city.c_str());
  std::printf("%-16s %17s %17s %17s %19s\n", "group", "arrived A/B",
              "mean s A/B", "p95 s A/B", "last arrival A/B");
  for (size_t ga = 0; ga < a->groups.size(); ++ga) {
    auto it = std::find(b->groups.begin(), b->groups.end(), a->groups[ga]);
    auto fa = figures_of(*a, ga);
    if (it == b->groups.end()) {
      std::printf("%-16s only in A (%llu trips)\n", a->groups[ga].c_str(),
                  (unsigned long long)fa.trips);
      continue;
    }
    auto fb = figures_of(*b, static_cast<size_t>(it - b->groups.begin()));
    std::printf("%-16s %8llu/%-8llu %8.0f/%-8.0f %8.0f/%-8.0f %9.0f/%-9.0f\n",
                a->groups[ga].c_str(), (unsigned long long)fa.arrived,
                (unsigned long long)fb.arrived, fa.mean_s, fb.mean_s,
                fa.p95_s, fb.p95_s, fa.last_arrival_s, fb.last_arrival_s);
  }
  for (const auto& g : b->groups)
    if (std::find(a->groups.begin(), a->groups.end(), g) == a->groups.end())
      std::printf("%-16s only in B\n", g.c_str());
  auto ca = congested_minutes(*a);
  auto cb = congested_minutes(*b);
  double total_a = 0, total_b = 0;
  for (auto& [s, m] : ca)
    total_a += m;
  for (auto& [s, m] : cb)
    total_b += m;
  std::printf("congested road-minutes: A %.0f, B %.0f (%+.0f)\n", total_a,
              total_b, total_b - total_a);
  std::vector<std::pair<double, uint32_t>> changes;
  for (auto& [s, m] : ca)
    changes.emplace_back(cb.count(s) ? cb[s] - m : -m, s);
  for (auto& [s, m] : cb)
    if (!ca.count(s))
      changes.emplace_back(m, s);
  std::sort(changes.begin(), changes.end(), [](auto& x, auto& y) {
    return std::abs(x.first) > std::abs(y.first);
  });
  std::printf("largest changes (segment: congested minutes B - A):\n");
  for (size_t i = 0; i < std::min<size_t>(10, changes.size()); ++i)
    if (changes[i].first != 0)
      std::printf("  segment %u: %+.0f min\n", changes[i].second,
                  changes[i].first);
  return 0;
}

} // namespace

void add_scenario_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("scenario", "what-if scenarios: simulate an "
                                             "event, a closure, a signal plan");
  cmd->require_subcommand(1);
  auto opts = std::make_shared<run_options>();
  auto* run_cmd = cmd->add_subcommand(
    "run", "simulate a scenario file on its city; prints a summary and "
           "writes an HDF5 run file");
  run_cmd->add_option("file", opts->scenario, "scenario file (YAML)")
    ->required();
  run_cmd->add_option("--city", opts->city, "city file the scenario runs on")
    ->capture_default_str();
  run_cmd->add_option("-o,--output", opts->output,
                      "run file to write (default NAME.run.h5)");
  run_cmd->add_option("--partitions", opts->partitions,
                      "scenario workers (default: one per core)");
  run_cmd->add_flag("--quiet", opts->quiet, "no progress bar");
  run_cmd->add_flag("--apply-actions", opts->apply_actions,
                    "run again with each kind of recommended action in effect "
                    "(extend_green, reroute) and show its effect (writes "
                    "NAME.<kind>.run.h5)");
  run_cmd->callback([opts] {
    auto code = run(*opts);
    if (code != 0)
      throw CLI::RuntimeError(code);
  });
  auto files = std::make_shared<std::vector<std::string>>();
  auto* compare_cmd = cmd->add_subcommand(
    "compare", "compare two run files: trip durations per group, "
               "clearance, congested roads");
  compare_cmd->add_option("runs", *files, "A.run.h5 B.run.h5")
    ->required()
    ->expected(2);
  compare_cmd->callback([files] {
    if (auto code = compare((*files)[0], (*files)[1]); code != 0)
      throw CLI::RuntimeError(code);
  });
  auto check = std::make_shared<sumo_check_options>();
  auto* check_cmd = cmd->add_subcommand(
    "sumo-check", "run SUMO's Bologna acosta or joined scenario, or the "
                  "concert egress of notes/simulation.md 6.3 (with rerouting "
                  "every 120 s), through the dynamic model and through sumo "
                  "--mesosim --meso-junction-control; compare");
  check_cmd->add_option("scenario", check->scenario,
                        "acosta, joined or concert")
    ->check(CLI::IsMember({"acosta", "joined", "concert"}))
    ->capture_default_str();
  check_cmd->add_option("--keep", check->work_dir,
                        "concert: keep the route file, SUMO's tripinfo.xml "
                        "and ours (citytwin.trips.csv) in this folder");
  check_cmd->add_option("--background-trips",
                        check->concert_background_trips,
                        "concert: background trips generated")
    ->check(CLI::Range(0u, 1'000'000u))
    ->capture_default_str();
  check_cmd->add_option("--event-trips", check->concert_event_trips,
                        "concert: event trips generated")
    ->check(CLI::Range(0u, 1'000'000u))
    ->capture_default_str();
  check_cmd->add_option("--saturation", check->saturation_veh_h_lane,
                        "discharge of a lane, veh/h")
    ->capture_default_str();
  check_cmd->callback([check] {
    if (auto code = sumo_check(*check); code != 0)
      throw CLI::RuntimeError(code);
  });
}

} // namespace citytwin::scenarios
