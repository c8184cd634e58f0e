// viz/inspect_command.cpp: `citytwin inspect`.
#include "viz/inspect_command.hpp"

#include <CLI/CLI.hpp>

#include "actors/runtime.hpp"
#include "actors/runtime_options.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/synthetic_feed.hpp"
#include "actors/type_ids.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"
#include "viz/state_json.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <iomanip>
#include <iostream>

namespace citytwin::viz {

namespace {

struct inspect_options {
  std::string city_file;
  std::string entity; // URN; empty: none
  bool spawn = false;
  size_t feed_steps = 0;
  long feed_step_s = 60;
  twin::time_ms start_ms = 1'700'000'000'000; // fixed: output is repeatable
  actors::runtime_options runtime;
};

constexpr auto query_timeout = std::chrono::seconds(30);

double mib(size_t bytes) {
  return double(bytes) / (1024.0 * 1024.0);
}

void print_city(const twin::city& c, size_t rss_before, size_t rss_after) {
  std::cout << "city " << c.name << " at (" << c.center.lon << ", "
            << c.center.lat << "), UTC" << std::showpos
            << c.utc_offset_min / 60.0 << std::noshowpos << " h\n";
  for (auto kind : twin::all_entity_kinds)
    std::cout << "  " << std::left << std::setw(16) << twin::to_string(kind)
              << std::right << std::setw(10) << c.count(kind) << '\n';
  std::cout << "  " << std::left << std::setw(16) << "total" << std::right
            << std::setw(10) << c.num_entities() << '\n';
  const auto& roads = c.roads;
  std::cout << "road network: " << roads.num_intersections()
            << " intersections, " << roads.num_segments() << " segments, "
            << std::fixed << std::setprecision(1)
            << roads.total_length_m() / 1000 << " km";
  if (auto all = roads.intersections(); !all.empty())
    std::cout << ", " << roads.num_reachable(all.front()->number)
              << " intersections reachable from intersection "
              << all.front()->number;
  std::cout << "\nmemory: city model " << mib(rss_after - rss_before)
            << " MiB\n";
}

int inspect(const inspect_options& opts) {
  auto rss_before = actors::resident_memory_bytes();
  auto c = twin::load_city(opts.city_file);
  if (!c) {
    std::cerr << "inspect: " << twin::describe(c.error()) << '\n';
    return 2;
  }
  print_city(*c, rss_before, actors::resident_memory_bytes());
  if (!opts.spawn && opts.entity.empty())
    return 0;
  twin::qualified_id wanted;
  if (!opts.entity.empty()) {
    auto parsed = twin::parse_urn(opts.entity);
    if (!parsed) {
      std::cerr << "inspect: " << twin::describe(parsed.error()) << '\n';
      return 2;
    }
    wanted = *parsed;
  }
  caf::actor_system_config cfg;
  if (auto err = actors::configure(
          cfg, {opts.runtime.scheduler, opts.runtime.threads})) {
    std::cerr << "inspect: " << twin::describe(err) << '\n';
    return 2;
  }
  caf::actor_system sys{cfg};
  // Nothing to flush at exit; do not wait for request timeouts to expire.
  sys.await_actors_before_shutdown(false);
  auto rss_city = actors::resident_memory_bytes();
  auto started = std::chrono::steady_clock::now();
  auto handles = actors::spawn_twin(sys, *c, {opts.runtime.shards, 0});
  if (!handles) {
    std::cerr << "inspect: " << twin::describe(handles.error()) << '\n';
    return 2;
  }
  auto boot = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                            - started);
  auto rss_twin = actors::resident_memory_bytes();
  std::cout << "twin: " << c->num_entities() << " entity actors spawned in "
            << std::setprecision(2) << boot.count() << " s, "
            << std::setprecision(0)
            << double(rss_twin - rss_city) / double(c->num_entities())
            << " bytes per entity (actor + state)\n";
  caf::scoped_actor self{sys};
  if (opts.feed_steps > 0) {
    // Drive the feed model directly: steps are deterministic and fast.
    actors::synthetic_feed_model model{std::make_shared<const twin::city>(*c),
                                       1};
    auto now = opts.start_ms;
    for (size_t i = 0; i < opts.feed_steps; ++i) {
      now += opts.feed_step_s * 1000;
      self->send(handles->front, actors::observe_atom_v,
                 model.step(now, opts.feed_step_s));
    }
  }
  int rc = 0;
  self->request(handles->front, query_timeout, actors::stats_atom_v)
      .receive(
          [&](const actors::twin_stats& stats) {
            std::cout << "ingest: " << viz::to_json(stats).dump() << '\n';
          },
          [&](const caf::error& err) {
            std::cerr << "inspect: " << twin::describe(err) << '\n';
            rc = 1;
          });
  if (opts.entity.empty() || rc != 0) {
    actors::stop_twin(sys, *handles);
    return rc;
  }
  if (wanted.city != c->name) {
    std::cerr << "inspect: " << opts.entity << " names city '" << wanted.city
              << "', the file holds '" << c->name << "'\n";
    return 2;
  }
  self->request(handles->front, query_timeout, caf::get_atom_v, wanted.id)
      .receive(
          [&](const twin::entity_state& state) {
            std::cout << viz::to_json(state, c->name).dump(2) << '\n';
          },
          [&](const caf::error& err) {
            std::cerr << "inspect: " << twin::describe(err) << '\n';
            rc = 3;
          });
  actors::stop_twin(sys, *handles);
  return rc;
}

} // namespace

void add_inspect_command(CLI::App& app) {
  auto opts = std::make_shared<inspect_options>();
  auto* cmd = app.add_subcommand(
      "inspect",
      "Validate a city file; show counts, memory, an entity's state");
  cmd->add_option("city", opts->city_file, "City file (see data/README.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_flag("--spawn", opts->spawn,
                "Spawn the twin's actors and report their memory");
  cmd->add_option("--entity", opts->entity,
                  "URN of an entity whose live state to print (spawns)");
  cmd->add_option("--feed-steps", opts->feed_steps,
                  "Synthetic feed steps to apply before printing")
      ->capture_default_str();
  cmd->add_option("--feed-step", opts->feed_step_s,
                  "Simulated seconds per feed step")
      ->check(CLI::Range(1L, 86400L))
      ->capture_default_str();
  cmd->add_option("--start-ms", opts->start_ms,
                  "Simulated start time, ms since the Unix epoch")
      ->capture_default_str();
  actors::add_runtime_options(*cmd, opts->runtime);
  cmd->callback([opts] {
    if (auto rc = inspect(*opts); rc != 0)
      throw CLI::RuntimeError(rc);
  });
}

} // namespace citytwin::viz
