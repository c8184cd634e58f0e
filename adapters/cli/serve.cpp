// adapters/cli/serve.cpp: `citytwin serve`.
#include "adapters/archive/archive_writer.hpp"
#include "adapters/archive/created_ids.hpp"
#include "adapters/archive/temporal.hpp"
#include "adapters/broker/broker.hpp"
#include "adapters/cli/commands.hpp"
#include "adapters/cli/rules_reloader.hpp"
#include "adapters/cli/viewer_access.hpp"
#include "adapters/cluster/cluster_file.hpp"
#include "adapters/ngsi/running_broker.hpp"

#include "actors/cluster_node.hpp"
#include "actors/runtime.hpp"
#include "actors/runtime_options.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/standby.hpp"
#include "actors/synthetic_feed.hpp"
#include "actors/type_ids.hpp"
#include "adapters/ingest/binding_table.hpp"
#include "adapters/ingest/entity_creator.hpp"
#include "adapters/ingest/ingest_counters.hpp"
#include "adapters/ingest/shard_batcher.hpp"
#include "adapters/mqtt/actuator_echo.hpp"
#include "adapters/mqtt/command_intake.hpp"
#include "adapters/mqtt/broker_url.hpp"
#include "adapters/mqtt/ingest_client.hpp"
#include "scenarios/scenario_service.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"
#include "twin/quantity.hpp"
#include "twin/text.hpp"
#include "viz/cluster_status.hpp"
#include "viz/http_server.hpp"
#include "viz/live_stream.hpp"
#include "viz/rules_api.hpp"
#include "viz/scenarios_api.hpp"
#include "viz/twin_api.hpp"
#include "viz/viewer_limits.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/detail/scope_guard.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <future>
#include <malloc.h>

#include <iostream>
#include <thread>

namespace citytwin::cli {

namespace {

struct serve_options {
  std::string city_file;
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  bool feed = true;
  long feed_step_s = 60;
  long feed_tick_ms = 1000;
  uint64_t seed = 1;
  std::string mqtt;     ///< broker URL; empty: no MQTT ingest
  std::string bindings; ///< binding table for SenML names
  std::string tenant;   ///< topic tenant level; empty: any
  int mqtt_qos = 1;
  std::string archive_dir; ///< empty: no archive
  std::string archive_sync = "process"; ///< process | disk
  long archive_segment_s = 300;
  std::string unknown_ids = "reject"; ///< reject | create
  size_t max_created = ingest::defaults::max_created;
  std::string web_dir = CITYTWIN_WEB_DIR; ///< the built viewer page
  size_t max_viewers = viz::viewer_limits::max_viewers;
  size_t viewer_max_connections = viz::viewer_limits::max_connections;
  ngsi::broker_options broker;
  actors::runtime_options runtime;
  std::string rules_file; ///< the tenant's rules; empty: none
  /// What-if runs on forks of the live twin (POST /api/scenarios).
  scenarios::scenario_service_options what_if;
  /// A cluster file (data/cluster/README.md) and this process's node in
  /// it; empty: a single node.
  std::string cluster_file;
  std::string node;
  long cluster_wait_s = 30;
};

// Starts the MQTT ingest if asked to; nullptr when not asked, an error
// for bad options.
caf::expected<std::unique_ptr<mqtt::ingest_client>>
start_ingest(const serve_options& opts, const actors::twin_handles& handles,
             const std::string& city,
             std::function<void(std::string_view, std::string_view)>
               on_command,
             archive::keep_fn keep,
             std::shared_ptr<archive::created_ids> created,
             std::vector<archive::created_binding> known) {
  if (opts.mqtt.empty())
    return std::unique_ptr<mqtt::ingest_client>{};
  auto broker = mqtt::parse_broker_url(opts.mqtt);
  if (!broker)
    return broker.error();
  ingest::decoder_config decoding;
  decoding.city = city;
  decoding.tenant = opts.tenant;
  if (!opts.bindings.empty()) {
    auto table = ingest::load_bindings(opts.bindings);
    if (!table)
      return table.error();
    if (table->city() != city)
      return caf::make_error(twin::errc::invalid_config,
                             "bindings of city '" + table->city()
                               + "' for city '" + city + "'");
    decoding.bindings = std::make_shared<const ingest::binding_table>(
      std::move(*table));
  }
  // --unknown-ids create: sensors the bindings do not know become new
  // entities, numbered above the city's own and created by the ROUTER of
  // their shard, which their readings pass too.
  decoding.create.policy = *ingest::parse_unknown_id_policy(opts.unknown_ids);
  decoding.create.max_created = opts.max_created;
  for (auto kind : twin::all_entity_kinds)
    decoding.create.next_number[twin::index_of(kind)]
      = handles.next_number[twin::index_of(kind)];
  decoding.create.announce = ingest::announce_to_routers(handles.routers);
  // Entities created before a restart keep their ids, and new ones are
  // recorded before they exist.
  decoding.create.known = std::move(known);
  if (created)
    decoding.create.keep = [created](std::string_view external,
                                     twin::entity_id id) {
      return created->keep(external, id);
    };
  mqtt::ingest_client_config config;
  config.broker = *broker;
  config.qos = opts.mqtt_qos;
  if (keep) {
    // Durable: a reading is acknowledged once journaled, and the broker
    // keeps QoS 1 messages for this session while the server is down.
    config.keep = std::move(keep);
    config.persistent_session = true;
    config.client_id = "citytwin-" + city;
  }
  if (on_command) {
    config.command_filter = mqtt::command_request_filter(
      opts.tenant.empty() ? city : opts.tenant);
    config.on_command = std::move(on_command);
  }
  return mqtt::ingest_client::start(
    config, std::move(decoding), ingest::router_sink(handles.routers),
    handles.routers.size(),
    [](const std::string& line) { std::cerr << "citytwin: " << line << '\n'; });
}

// A node of a cluster, its own shards running: asks its peers for
// theirs and completes the twin, takes back the shards a peer ran while
// this node was down, and starts its STANDBY. From outside any actor.
caf::expected<actors::standby_actor>
join_shards(caf::actor_system& sys, actors::twin_handles& handles,
            std::shared_ptr<const actors::cluster_map> cluster,
            const actors::cluster_node_actor& cluster_node,
            const serve_options& opts,
            const std::shared_ptr<const twin::city>& city) {
  auto wait_started = std::chrono::steady_clock::now();
  caf::anon_send(cluster_node, caf::put_atom_v,
                 actors::hosted_shards(handles, opts.node));
  caf::error err;
  std::vector<actors::shard_handles> taken;
  {
    caf::scoped_actor asking{sys};
    auto wait_ms = static_cast<uint32_t>(opts.cluster_wait_s * 1000);
    asking
      ->request(cluster_node, std::chrono::milliseconds{wait_ms} * 2,
                caf::get_atom_v, actors::shard_atom_v, wait_ms)
      .receive(
        [&](std::vector<actors::shard_handles>& remote) {
          auto attached
            = actors::attach_remote_shards(sys, handles, city->name, remote);
          if (attached)
            taken = std::move(*attached);
          else
            err = std::move(attached.error());
        },
        [&](caf::error& e) { err = std::move(e); });
  }
  if (err)
    return err;
  std::cout << "citytwin: cluster: every shard is up, the others' after "
            << std::chrono::duration<double>(std::chrono::steady_clock::now()
                                             - wait_started)
                 .count()
            << " s" << std::endl;
  // Back after being down: the shards a peer ran meanwhile come back
  // with their state.
  if (!taken.empty()) {
    auto took = actors::take_back_shards(sys, handles, cluster_node,
                                         opts.node, taken);
    if (!took)
      return took.error();
    std::cout << "citytwin: cluster: took back shards";
    for (const auto& part : taken)
      for (auto i : part.shards)
        std::cout << ' ' << i << " (from " << part.node << ")";
    std::cout << " in " << took->count() << " ms" << std::endl;
  }
  auto standby = actors::spawn_standby(
    sys, {city, std::move(cluster), opts.node, handles, cluster_node});
  caf::anon_send(cluster_node, caf::put_atom_v, handles.front, standby);
  return standby;
}

// The viewer's plot of an entity: each attribute's last day before its
// newest sample, averaged into at most `max_points` periods so one click
// never ships 86,400 points (the plot zooms within what it got).
std::optional<std::string>
viewer_history(const archive::tenant_archive& history, const std::string& urn) {
  constexpr twin::time_ms day = 86'400'000;
  constexpr size_t max_points = 1440;
  std::string out = "{";
  for (const auto& name : history.streams_of(urn)) {
    auto newest = history.read_last(name, 1,
                                    std::numeric_limits<twin::time_ms>::max());
    if (!newest || newest->empty())
      continue;
    auto to = newest->back().time + 1;
    auto xs = history.read(name, to - day, to);
    if (!xs)
      continue;
    auto q = twin::parse_quantity(name.quantity);
    std::string label = q ? std::string{twin::info(*q).name} : name.quantity;
    auto period = std::max<twin::time_ms>(1, day / max_points);
    auto points = xs->size() > max_points
                    ? archive::aggregate(*xs, to - day, period)
                    : std::vector<archive::aggr_bucket>{};
    std::string t = "[", v = "[";
    auto add = [&](twin::time_ms time, double value) {
      if (t.size() > 1) {
        t += ',';
        v += ',';
      }
      t += std::to_string(static_cast<double>(time) / 1000.0);
      v += twin::shortest(value);
    };
    if (points.empty())
      for (const auto& s : *xs)
        add(s.time, s.value);
    else
      for (const auto& b : points)
        add(b.start, b.value(archive::aggr_method::avg));
    if (out.size() > 1)
      out += ',';
    out += "\"" + label + "\":{\"t\":" + t + "],\"v\":" + v + "]}";
  }
  return out + "}";
}

// Set by SIGINT/SIGTERM; the main thread polls it and shuts down in order.
std::atomic<bool> stop_requested{false};

std::atomic<bool> reload_requested{false};

void on_reload_signal(int) {
  reload_requested = true;
}

// Stops the RULES actors when serve returns, on every path, before the
// actor system goes away.
struct rules_guard {
  caf::actor_system& sys;
  std::optional<rules_reloader>& rules;
  ~rules_guard() {
    if (rules)
      rules->stop(sys);
  }
};

void on_signal(int) {
  stop_requested = true;
}

int serve(const serve_options& opts) {
  // A city boots as millions of small allocations (entity actors, their
  // mailboxes, the broker's index) on several threads at once. glibc grows
  // each heap by 128 KiB per step by default: at a million entities that
  // is tens of thousands of brk/mmap calls and page-table updates, ~0.7 s
  // of a 10 s boot on 2 cores. Untouched padding costs address space, not
  // resident memory.
  mallopt(M_TOP_PAD, 256 << 20);
  auto c = twin::load_city(opts.city_file);
  if (!c) {
    std::cerr << "serve: " << twin::describe(c.error()) << '\n';
    return 2;
  }
  // A cluster's map is checked against the city and this node before
  // anything starts: a node that does not fit refuses to join.
  std::shared_ptr<const actors::cluster_map> cluster;
  auto runtime = opts.runtime;
  if (!opts.cluster_file.empty()) {
    auto m = cluster::load_cluster_file(opts.cluster_file);
    if (!m) {
      std::cerr << "serve: " << twin::describe(m.error()) << '\n';
      return 2;
    }
    std::string problem;
    if (m->city != c->name)
      problem = "the cluster file is for city '" + m->city + "', not '"
                + c->name + "'";
    else if (opts.node.empty() || m->node_named(opts.node) == nullptr)
      problem = "--node must name a node of the cluster file";
    else if (runtime.shards != 0 && runtime.shards != m->num_shards)
      problem = "--shards " + std::to_string(runtime.shards)
                + " differs from the cluster's " + std::to_string(m->num_shards);
    if (!problem.empty()) {
      std::cerr << "serve: " << opts.cluster_file << ": " << problem << '\n';
      return 2;
    }
    runtime.shards = m->num_shards;
    cluster = std::make_shared<const actors::cluster_map>(std::move(*m));
  }
  // With --access the viewer stream checks tokens against the same
  // tenants file as the NGSI-LD API; without it the stream stays open.
  auto tenants = ngsi::load_tenants(opts.broker, c->name);
  if (!tenants) {
    std::cerr << "serve: " << twin::describe(tenants.error()) << '\n';
    return 2;
  }
  // The served tenant's `rules:` in the tenants file, unless --rules names
  // a file of its own.
  auto rules_file = opts.rules_file;
  if (rules_file.empty() && *tenants)
    if (const auto* t = twin::find_tenant(**tenants, c->name))
      rules_file = t->rules;
  // The archive is checked before anything starts: a damaged file stops
  // the server with its name rather than being written over.
  std::shared_ptr<archive::tenant_archive> history;
  auto broker_opts = opts.broker;
  if (!opts.archive_dir.empty()) {
    archive::archive_options aopts;
    aopts.root = opts.archive_dir;
    aopts.tenant = c->name;
    aopts.city = c->name;
    aopts.sync = opts.archive_sync == "disk" ? archive::journal_sync::disk
                                             : archive::journal_sync::process;
    aopts.segment_every = std::chrono::seconds{opts.archive_segment_s};
    auto opened = archive::tenant_archive::open(std::move(aopts));
    if (!opened) {
      std::cerr << "serve: archive: " << twin::describe(opened.error())
                << '\n';
      return 2;
    }
    history = std::move(*opened);
    // The API's entities and subscriptions live beside the history.
    broker_opts.state_dir = opts.archive_dir;
    broker_opts.state_sync = history->options().sync;
  }
  auto stream_access = *tenants ? make_viewer_access(*tenants, c->name)
                                : viz::stream_access{};
  auto monitor_access = *tenants ? make_monitor_access(*tenants, c->name)
                                 : viz::monitor_access{};
  caf::actor_system_config cfg;
  if (auto err = actors::configure(cfg, {opts.runtime.scheduler,
                                         opts.runtime.threads})) {
    std::cerr << "serve: " << twin::describe(err) << '\n';
    return 2;
  }
  if (cluster)
    cfg.load<caf::io::middleman>();
  caf::actor_system sys{cfg};
  actors::cluster_node_actor cluster_node;
  if (cluster) {
    cluster_node = actors::spawn_cluster_node(sys, cluster, opts.node);
    auto joined = actors::join_cluster(
      sys, cluster_node, *cluster, opts.node,
      std::chrono::seconds{opts.cluster_wait_s});
    if (!joined) {
      std::cerr << "serve: " << twin::describe(joined.error()) << '\n';
      caf::anon_send_exit(cluster_node, caf::exit_reason::user_shutdown);
      return 2;
    }
    std::string peers, here;
    for (const auto& p : joined->peers)
      peers += (peers.empty() ? "" : ", ") + p;
    for (auto shard : cluster->node_named(opts.node)->shards)
      here += (here.empty() ? "" : ", ") + std::to_string(shard);
    std::cout << "citytwin: cluster: node " << opts.node << " on port "
              << joined->port << " joined " << (peers.empty() ? "nobody" : peers)
              << " (map version " << cluster->version << ", "
              << cluster->num_shards << " shards, " << here << " here)"
              << std::endl;
  }
  auto stop_cluster_node = caf::detail::make_scope_guard([&] {
    if (cluster_node)
      caf::anon_send_exit(cluster_node, caf::exit_reason::user_shutdown);
  });
  auto started = std::chrono::steady_clock::now();
  auto city_ptr = std::make_shared<const twin::city>(std::move(*c));
  viz::http_server http{nullptr};
  viz::live_stream_config viewer_config;
  viewer_config.web_dir = opts.web_dir;
  viewer_config.stream.access = std::move(stream_access);
  viewer_config.stream.max_clients = opts.max_viewers;
  viewer_config.monitor = std::move(monitor_access);
  viewer_config.max_connections = opts.viewer_max_connections;
  // The broker's copy of the city and the viewer's layout and states are
  // plain data: each is built on a thread of its own while the twin
  // spawns its actors (at a million entities each takes seconds).
  auto seeding = std::async(std::launch::async, [&tenants, &city_ptr] {
    return ngsi::running_broker::seed(*tenants, *city_ptr);
  });
  auto laying_out
    = std::async(std::launch::async, [&http, &city_ptr, &viewer_config] {
        return std::make_unique<viz::live_stream>(http, *city_ptr,
                                                  std::move(viewer_config));
      });
  // The rule file is startup input too: bound to the city (an R-tree of
  // it) while the twin spawns, and every problem reported before serving.
  auto binding_rules = std::async(
    std::launch::async,
    [&rules_file, &city_ptr]() -> caf::expected<std::optional<rules_reloader>> {
      if (rules_file.empty())
        return std::optional<rules_reloader>{};
      auto loaded = rules_reloader::load(rules_file, city_ptr);
      if (!loaded)
        return loaded.error();
      return std::optional<rules_reloader>{std::move(*loaded)};
    });
  // On a cluster this node spawns the entities of its own shards and
  // then asks its peers for theirs: the twin is whole once every shard
  // has a ROUTER and a PUBLISHER, here or on its node.
  actors::twin_config layout{runtime.shards, 0};
  if (cluster) {
    layout.hosted.assign(cluster->num_shards, false);
    for (auto shard : cluster->node_named(opts.node)->shards)
      layout.hosted[shard] = true;
  }
  auto handles = actors::spawn_twin(sys, *city_ptr, layout);
  actors::standby_actor standby;
  auto stop_standby = caf::detail::make_scope_guard([&] {
    if (standby)
      caf::anon_send_exit(standby, caf::exit_reason::user_shutdown);
  });
  if (handles && cluster) {
    auto joined = join_shards(sys, *handles, cluster, cluster_node, opts,
                              city_ptr);
    if (!joined) {
      std::cerr << "serve: cluster: " << twin::describe(joined.error())
                << '\n';
      actors::stop_twin(sys, *handles);
      return 2;
    }
    standby = *joined;
  }
  auto seeded = seeding.get();
  archive::running_archive archiving;
  if (history) {
    if (seeded)
      seeded->set_archive(city_ptr->name, history);
    archiving = archive::running_archive{
      sys, history, std::chrono::milliseconds{200},
      [](const std::string& line) {
        std::cerr << "citytwin: " << line << '\n';
      }};
    auto s = history->stats();
    std::cout << "citytwin: archive " << opts.archive_dir << '/'
              << city_ptr->name << ": " << s.segments << " segment files, "
              << s.bytes_on_disk << " bytes; journal from record "
              << s.journal_through + 1 << '\n';
  }
  auto viewer = laying_out.get();
  auto bound_rules = binding_rules.get();
  if (!handles) {
    std::cerr << "serve: " << twin::describe(handles.error()) << '\n';
    return 2;
  }
  if (!bound_rules) {
    std::cerr << "serve: " << twin::describe(bound_rules.error()) << '\n';
    actors::stop_twin(sys, *handles);
    return 2;
  }
  std::optional<rules_reloader> rules = std::move(*bound_rules);
  rules_guard stop_rules_on_exit{sys, rules};
  // Rules subscribe before any reading flows, like the viewer.
  if (rules) {
    rules->start(sys, *handles);
    std::cout << "citytwin: " << rules->num_rules() << " rules ("
              << rules->num_instances() << " instances) from "
              << rules_file
              << "; edit the file or send SIGHUP to reload" << std::endl;
  }
  auto boot = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                            - started);
  std::cout << "citytwin: city '" << city_ptr->name << "' live with "
            << handles->entities->size() << " entity actors"
            << (cluster ? " here, "
                            + std::to_string(city_ptr->num_entities())
                            + " in the cluster"
                        : std::string{})
            << " (booted in "
            << boot.count() << " s, scheduler " << opts.runtime.scheduler
            << ")\n";
  // The viewer stream subscribes before any reading flows (ingest, feed),
  // so its cache of states starts exact; the server therefore starts
  // first, and /metrics picks the ingest client up once it exists.
  std::atomic<mqtt::ingest_client*> client{nullptr};
  std::atomic<ngsi::running_broker*> data_broker{nullptr};
  auto command_counters = std::make_shared<mqtt::command_request_counters>();
  auto metrics = [&client, &data_broker, command_counters,
                  history](const actors::twin_stats& twin) {
    auto* ingest = client.load();
    auto* brk = data_broker.load();
    return ingest::render_prometheus(ingest ? ingest->counters().snapshot()
                                            : ingest::ingest_stats{},
                                     &twin)
           + (ingest ? command_counters->render_prometheus() : std::string{})
           + (brk ? brk->metrics() : std::string{})
           + (history ? archive::render_prometheus(history->stats(),
                                                   history->options().tenant)
                      : std::string{});
  };
  auto operations = *tenants ? make_operations_access(*tenants, city_ptr->name)
                             : viz::operations_access{};
  // What-if runs fork this twin and run beside it, on their own threads.
  // Its recommended actions are issued through the rules' ALERTS, when
  // rules run, and audited.
  auto what_if = scenarios::spawn_scenario_service(
    sys, handles->front, city_ptr, opts.what_if,
    {rules ? rules->running().alerts : actors::alerts_actor{},
     handles->audit});
  auto stop_what_if = caf::detail::make_scope_guard(
    [&] { caf::anon_send_exit(what_if, caf::exit_reason::user_shutdown); });
  http.set_handler(viewer->wrap(viz::with_cluster_status(
    sys, cluster_node, viz::make_scenarios_api(
    sys, what_if, operations,
    viz::make_rules_api(
      sys, handles->audit, rules ? rules->running() : actors::running_rules{},
      city_ptr->name, operations,
      viz::make_twin_api(
        sys, *handles, city_ptr->name, metrics,
        viz::viewer_limits::twin_timeout,
        history ? viz::history_renderer{[history](const std::string& urn) {
          return viewer_history(*history, urn);
        }}
                : viz::history_renderer{}))),
    viz::viewer_limits::twin_timeout)));
  std::string error;
  if (!http.start(opts.host, opts.port, error)) {
    std::cerr << "serve: " << error << '\n';
    actors::stop_twin(sys, *handles);
    return 1;
  }
  if (auto err = viewer->subscribe(sys, *handles)) {
    std::cerr << "serve: viewer stream: " << twin::describe(err) << '\n';
    http.stop();
    actors::stop_twin(sys, *handles);
    return 1;
  }
  // Like the viewer, the broker's TENANT subscribes before readings flow.
  auto brk = ngsi::running_broker::start(std::move(seeded), broker_opts,
                                         opts.host, sys, *handles, *city_ptr);
  if (!brk) {
    std::cerr << "serve: " << twin::describe(brk.error()) << '\n';
    http.stop();
    viewer->stop();
    actors::stop_twin(sys, *handles);
    return 2;
  }
  data_broker = brk->get();
  // The rules' alerts become NGSI-LD entities of the city's tenant.
  if (rules && *brk)
    if (auto tenant = (*brk)->tenant(city_ptr->name))
      caf::anon_send(rules->running().alerts, caf::subscribe_atom_v,
                     caf::actor_cast<actors::alert_listener_actor>(tenant));
  if (*brk)
    (*brk)->protect_port(http.port());
  // What fails from here on stops what has started, saying what failed.
  auto fail_started = [&](std::string_view what, const caf::error& err) {
    std::cerr << "serve: " << what << ": " << twin::describe(err) << '\n';
    if (*brk)
      (*brk)->stop();
    http.stop();
    viewer->stop();
    actors::stop_twin(sys, *handles);
    return 2;
  };
  // Devices follow the twin: commanded settings go out on the ingest's
  // broker, and requests for settings come in through the ingest client.
  mqtt::running_echo echo;
  mqtt::command_intake_actor intake;
  if (!opts.mqtt.empty() && mqtt::parse_broker_url(opts.mqtt)) {
    auto topic_tenant = opts.tenant.empty() ? city_ptr->name : opts.tenant;
    auto started = mqtt::start_actuator_echo(
      sys, handles->front, *mqtt::parse_broker_url(opts.mqtt), topic_tenant,
      city_ptr->name);
    if (!started)
      return fail_started("actuator settings", started.error());
    echo = std::move(*started);
    intake = sys.spawn(mqtt::command_intake, handles->front, echo.out);
    std::cout << "citytwin: actuator settings on city/" << topic_tenant
              << "/cmd/<kind>/<id>, requests on .../set\n";
  }
  // A restarted server starts where it stopped: the entities the
  // unknown-id policy created exist again, and the newest value of every
  // stream goes to its entity before any new reading does.
  twin::time_ms restored_until = 0;
  std::shared_ptr<archive::created_ids> created;
  std::vector<archive::created_binding> known_created;
  if (history && opts.unknown_ids == "create") {
    auto opened = archive::created_ids::open(
      std::filesystem::path{opts.archive_dir} / city_ptr->name / "created.log",
      city_ptr->name, history->options().sync);
    if (!opened)
      return fail_started("archive", opened.error());
    created = std::move(opened->first);
    known_created = std::move(opened->second);
    // Through the ROUTER each one's readings pass too, so the entity
    // exists before its restored value arrives.
    auto announce = ingest::announce_to_routers(handles->routers);
    for (const auto& [external, id] : known_created)
      announce(id);
    if (!known_created.empty())
      std::cout << "citytwin: " << known_created.size()
                << " entities the unknown-id policy created are back\n";
  }
  if (history) {
    auto restore_started = std::chrono::steady_clock::now();
    auto state = history->latest_state();
    if (!state)
      return fail_started("archive", state.error());
    // Through the ingest's own batching: per shard, in order per entity.
    ingest::ingest_counters restore_counters;
    ingest::shard_batcher restore{handles->routers.size(), 4096,
                                  ingest::router_sink(handles->routers),
                                  restore_counters};
    restore.add(*state);
    restore.flush();
    restored_until = history->newest_time();
    if (!state->empty())
      std::cout << "citytwin: restored " << state->size()
                << " newest values from the archive in "
                << std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - restore_started)
                     .count()
                << " s\n";
  }
  auto ingest = start_ingest(
    opts, *handles, city_ptr->name,
    echo.out ? mqtt::command_request_handler(
                 intake, echo.out,
                 opts.tenant.empty() ? city_ptr->name : opts.tenant,
                 city_ptr->name, command_counters)
             : nullptr,
    archive::keep_in(history), created, std::move(known_created));
  if (!ingest) {
    std::cerr << "serve: " << twin::describe(ingest.error()) << '\n';
    if (intake)
      caf::anon_send_exit(intake, caf::exit_reason::user_shutdown);
    mqtt::stop_actuator_echo(handles->front, echo);
    http.stop();
    viewer->stop();
    actors::stop_twin(sys, *handles);
    return 2;
  }
  client = ingest->get();
  if (*ingest)
    std::cout << "citytwin: MQTT ingest from " << opts.mqtt << '\n';
  if (*brk)
    std::cout << "citytwin: NGSI-LD API on http://" << opts.host << ":"
              << (*brk)->port() << "/ngsi-ld/v1 (open data: /opendata/v1)"
              << std::endl;
  actors::feed_actor feed_handle;
  if (opts.feed) {
    actors::synthetic_feed_config feed;
    // The feed starts at the wall-clock time of boot and then runs on its
    // own simulated clock: actors never read the wall clock.
    // After a restart it goes on from the newest restored reading, which
    // its fast simulated clock may have put ahead of the wall clock.
    feed.start = std::max<twin::time_ms>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch())
        .count(),
      restored_until);
    feed.step_s = opts.feed_step_s;
    feed.tick = std::chrono::milliseconds{opts.feed_tick_ms};
    feed.seed = opts.seed;
    feed.keep = archive::keep_in(history);
    if (cluster)
      feed.hosted = handles->hosted;
    feed_handle = sys.spawn(actors::synthetic_feed, city_ptr, feed,
                            handles->front);
    caf::anon_send(feed_handle, caf::tick_atom_v);
    std::cout << "citytwin: synthetic feed on, " << feed.step_s
              << " simulated s every " << feed.tick.count() << " ms\n";
  }
  std::cout << "citytwin: serving http://" << opts.host << ":" << http.port()
            << "/  (viewer: /, stream: /ws; API: /api/status, "
               "/api/entities/<urn>, /api/stream, /metrics; Ctrl-C stops)"
            << std::endl;
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGHUP, on_reload_signal);
  auto next_look = std::chrono::steady_clock::now();
  while (!stop_requested) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // The rule file is looked at once a second; SIGHUP forces a reload.
    auto forced = reload_requested.exchange(false);
    if (rules && (forced || std::chrono::steady_clock::now() >= next_look)) {
      next_look = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      rules->poll(forced);
    }
  }
  std::cout << "citytwin: stopping\n";
  if (*brk)
    (*brk)->stop();
  http.stop();
  viewer->stop();
  if (*ingest) {
    (*ingest)->stop();
    auto s = (*ingest)->counters().snapshot();
    std::cout << "citytwin: MQTT ingest received " << s.messages
              << " messages, accepted " << s.readings_accepted
              << " readings, rejected " << s.rejected_total() << '\n';
  }
  if (feed_handle)
    caf::anon_send_exit(feed_handle, caf::exit_reason::user_shutdown);
  if (intake)
    caf::anon_send_exit(intake, caf::exit_reason::user_shutdown);
  mqtt::stop_actuator_echo(handles->front, echo);
  actors::stop_twin(sys, *handles);
  // Last: whatever the journal holds goes into a segment now.
  if (auto err = archiving.stop())
    std::cerr << "citytwin: archive: " << twin::describe(err)
              << " (kept in the journal; archived at the next start)\n";
  sys.await_actors_before_shutdown(false);
  return 0;
}

} // namespace

void add_serve(CLI::App& app) {
  auto opts = std::make_shared<serve_options>();
  auto* cmd = app.add_subcommand("serve", "Run the live twin of a city");
  cmd->add_option("city", opts->city_file, "City file (see data/README.md)")
    ->required()
    ->check(CLI::ExistingFile);
  cmd->add_option("--host", opts->host, "Address to bind the HTTP server")
    ->capture_default_str();
  cmd->add_option("--port", opts->port, "Port (0: any free port)")
    ->capture_default_str();
  cmd->add_flag("!--no-feed", opts->feed, "Do not run the synthetic feed");
  cmd->add_option("--rules", opts->rules_file,
                  "The tenant's rule file (data/rules/README.md); reloaded "
                  "when it changes or on SIGHUP")
    ->check(CLI::ExistingFile);
  cmd->add_option("--feed-step", opts->feed_step_s,
                  "Simulated seconds per feed tick")
    ->check(CLI::Range(1L, 86400L))
    ->capture_default_str();
  cmd->add_option("--feed-tick-ms", opts->feed_tick_ms,
                  "Wall-clock milliseconds between feed ticks")
    ->check(CLI::Range(1L, 3600000L))
    ->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Seed of the synthetic feed")
    ->capture_default_str();
  cmd->add_option("--mqtt", opts->mqtt,
                  "Ingest SenML, NGSI-LD and Protobuf readings from this "
                  "MQTT broker, mqtt://HOST:PORT");
  cmd->add_option("--bindings", opts->bindings,
                  "Binding table for SenML names (data/bindings/README.md)")
    ->check(CLI::ExistingFile);
  cmd->add_option("--mqtt-tenant", opts->tenant,
                  "Only topics city/<tenant>/... (default: any tenant)");
  cmd->add_option("--mqtt-qos", opts->mqtt_qos, "Subscription QoS, 0 or 1")
    ->check(CLI::Range(0, 1))
    ->capture_default_str();
  cmd->add_option("--unknown-ids", opts->unknown_ids,
                  "What MQTT ingest does with an unbound sensor id: reject "
                  "(count it) or create (a new sensor entity of the topic's "
                  "kind)")
    ->check(CLI::IsMember({"reject", "create"}))
    ->capture_default_str();
  cmd->add_option("--max-created", opts->max_created,
                  "Most entities --unknown-ids create makes; beyond, "
                  "readings are rejected as create_limit")
    ->check(CLI::Range(size_t{0}, size_t{10'000'000}))
    ->capture_default_str();
  cmd->add_option("--web-dir", opts->web_dir,
                  "Folder of the built viewer page (viz/web/dist)")
    ->capture_default_str();
  cmd->add_option("--max-viewers", opts->max_viewers,
                  "Most simultaneous viewers; more are closed with 1013")
    ->check(CLI::Range(size_t{1}, size_t{100'000}))
    ->capture_default_str();
  cmd->add_option("--viewer-max-connections", opts->viewer_max_connections,
                  "Most open TCP connections on the viewer port")
    ->check(CLI::Range(size_t{1}, size_t{1'000'000}))
    ->capture_default_str();
  cmd->add_option("--scenario-runs", opts->what_if.runs_dir,
                  "Folder for the HDF5 files of what-if runs submitted to "
                  "POST /api/scenarios (default: none written)");
  cmd->add_option("--max-scenarios", opts->what_if.max_running,
                  "What-if runs at once; more are refused with 503")
    ->check(CLI::Range(1u, 16u))
    ->capture_default_str();
  cmd->add_option("--archive", opts->archive_dir,
                  "Keep every reading in this folder: a journal written "
                  "before readings are acknowledged, and HDF5 files "
                  "(adapters/archive/README.md)");
  cmd->add_option("--archive-sync", opts->archive_sync,
                  "process: acknowledged readings survive the server being "
                  "killed; disk: also a power cut (one disk flush each)")
    ->check(CLI::IsMember({"process", "disk"}))
    ->capture_default_str();
  cmd->add_option("--archive-segment-s", opts->archive_segment_s,
                  "Seconds between HDF5 segment files")
    ->check(CLI::Range(1L, 86'400L))
    ->capture_default_str();
  ngsi::add_broker_options(*cmd, opts->broker);
  actors::add_runtime_options(*cmd, opts->runtime);
  cmd->add_option("--cluster", opts->cluster_file,
                  "Cluster file: the nodes of one twin and their shards "
                  "(data/cluster/README.md); needs --node");
  cmd->add_option("--node", opts->node, "This process's node in --cluster");
  cmd->add_option("--cluster-wait", opts->cluster_wait_s,
                  "Seconds to wait for the other nodes to answer")
    ->check(CLI::Range(1L, 3600L))
    ->capture_default_str();
  cmd->callback([opts] {
    if (auto rc = serve(*opts); rc != 0)
      throw CLI::RuntimeError(rc);
  });
}

} // namespace citytwin::cli
