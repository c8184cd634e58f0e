// bench/cluster_bench.cpp
#include "bench/cluster_bench.hpp"

#include "bench/child_process.hpp"
#include "bench/report.hpp"
#include "bench/one_state_bench.hpp"
#include "bench/paced_sender.hpp"
#include "bench/soak_server.hpp"
#include "bench/viewer_clients.hpp"

#include "actors/runtime.hpp"
#include "actors/shard.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "adapters/ngsi/http_client.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace citytwin::bench {

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr uint32_t num_shards = 6;
const char* const node_names[] = {"north", "centre", "south"};

double since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// One `citytwin serve --cluster` child.
struct node_proc {
  std::string name;
  uint16_t cluster_port = 0;
  uint16_t http_port = 0;
  std::string log;
  std::unique_ptr<child_process> proc;
};

// A cluster of `n` nodes on 127.0.0.1 serving `city`, the shards split
// evenly in order; empty `error` once every node serves HTTP.
struct cluster_run {
  std::vector<node_proc> nodes;
  double boot_s = 0;
  std::string error;

  cluster_run(const cluster_settings& s, const std::string& city, size_t n) {
    auto dir = fs::path{s.workdir} / ("cluster" + std::to_string(n));
    fs::create_directories(dir);
    auto file = (dir / "cluster.yaml").string();
    std::ofstream yaml{file};
    yaml << "version: 1\ncity: big\nshards: " << num_shards << "\nnodes:\n";
    for (size_t k = 0; k < n; ++k) {
      node_proc node;
      node.name = node_names[k];
      node.cluster_port = free_loopback_port();
      node.log = (dir / (node.name + ".log")).string();
      // A previous run's log would say "serving" before this one starts.
      fs::remove(node.log);
      std::string shards;
      for (uint32_t i = 0; i < num_shards; ++i)
        if (i * n / num_shards == k)
          shards += (shards.empty() ? "" : ", ") + std::to_string(i);
      yaml << "  - {name: " << node.name << ", host: 127.0.0.1, port: "
           << node.cluster_port << ", shards: [" << shards << "]}\n";
      nodes.push_back(std::move(node));
    }
    yaml.close();
    auto t0 = clock_type::now();
    for (auto& node : nodes)
      node.proc = std::make_unique<child_process>(
        std::vector<std::string>{s.exe, "serve", city, "--no-feed", "--host",
                                 "127.0.0.1", "--port", "0", "--cluster", file,
                                 "--node", node.name, "--cluster-wait", "300"},
        node.log);
    static const std::regex serving{R"(serving http://127\.0\.0\.1:([0-9]+))"};
    for (auto& node : nodes) {
      for (;;) {
        std::ifstream in{node.log};
        std::string text((std::istreambuf_iterator<char>(in)), {});
        std::smatch m;
        if (std::regex_search(text, m, serving)) {
          node.http_port = static_cast<uint16_t>(std::stoi(m[1]));
          break;
        }
        if (!node.proc->alive() || since(t0) > 600) {
          error = node.name + " did not start: " + node.proc->how_ended()
                  + " (" + node.log + ")";
          return;
        }
        std::this_thread::sleep_for(100ms);
      }
    }
    boot_s = since(t0);
  }

  ~cluster_run() {
    for (auto& node : nodes)
      if (node.proc)
        node.proc->stop(10s);
  }
};

// This process's view of a twin: every shard's ROUTER and PUBLISHER.
struct shard_view {
  std::vector<actors::router_actor> routers;
  std::vector<actors::publisher_actor> publishers;
};

// Asks every node which shards it hosts, through CAF's network layer.
std::optional<shard_view> connect(caf::actor_system& sys,
                                  const cluster_run& run, std::string& error) {
  shard_view view;
  view.routers.resize(num_shards);
  view.publishers.resize(num_shards);
  caf::scoped_actor self{sys};
  for (const auto& node : run.nodes) {
    auto remote = sys.middleman().remote_actor<actors::cluster_node_actor>(
      "127.0.0.1", node.cluster_port);
    if (!remote) {
      error = "cannot reach " + node.name + ": " + caf::to_string(remote.error());
      return std::nullopt;
    }
    self->request(*remote, 30s, caf::get_atom_v, actors::shard_atom_v)
      .receive(
        [&](actors::shard_handles& h) {
          for (size_t k = 0; k < h.shards.size(); ++k) {
            view.routers[h.shards[k]] = h.routers[k];
            view.publishers[h.shards[k]] = h.publishers[k];
          }
        },
        [&](caf::error& err) {
          error = node.name + ": " + caf::to_string(err);
        });
    if (!error.empty())
      return std::nullopt;
  }
  return view;
}

uint64_t deltas_published(caf::scoped_actor& self, const shard_view& view) {
  uint64_t sum = 0;
  for (const auto& p : view.publishers)
    self->request(p, 10s, actors::stats_atom_v)
      .receive([&](const actors::publisher_stats& s) { sum += s.deltas; },
               [](const caf::error&) {});
  return sum;
}

// Sends `n` readings in messages of `batch` per shard as fast as it can,
// each to another lamp or bin (one delta each), and waits until every
// one is published: readings applied per second.
double throughput(caf::actor_system& sys, const shard_view& view,
                  std::vector<paced_target>& targets, size_t n, size_t batch,
                  uint64_t& seq, size_t& next) {
  // Each lamp or bin at most once per run: two readings of one entity in
  // one message make one delta, and the count below would never be met.
  n = std::min(n, targets.size());
  caf::scoped_actor self{sys};
  auto before = deltas_published(self, view);
  auto t0 = clock_type::now();
  std::vector<twin::reading_batch> pending(num_shards);
  for (size_t i = 0; i < n; ++i) {
    auto& t = targets[next];
    next = (next + 1) % targets.size();
    auto s = actors::shard_of(t.id, num_shards);
    pending[s].push_back(next_reading(t, seq++));
    if (pending[s].size() >= batch) {
      caf::anon_send(view.routers[s], actors::observe_atom_v,
                     std::move(pending[s]));
      pending[s] = {};
    }
  }
  for (size_t s = 0; s < num_shards; ++s)
    if (!pending[s].empty())
      caf::anon_send(view.routers[s], actors::observe_atom_v,
                     std::move(pending[s]));
  while (deltas_published(self, view) < before + n && since(t0) < 300)
    std::this_thread::sleep_for(20ms);
  return double(n) / since(t0);
}

std::optional<nlohmann::json> status_of(uint16_t port) {
  ngsi::http_client client{"127.0.0.1", port, 2s};
  auto res = client.request("GET", "/api/status");
  if (!res || res->status != 200)
    return std::nullopt;
  auto doc = nlohmann::json::parse(res->body, nullptr, false);
  if (doc.is_discarded())
    return std::nullopt;
  return doc;
}

} // namespace

std::vector<cluster_figure> run_cluster(const cluster_settings& s) {
  std::vector<cluster_figure> out;
  fs::create_directories(s.workdir);
  auto city_path = (fs::path{s.workdir} / "big.city").string();
  {
    child_process gen{{s.exe, "generate-city", "--name", "big", "--segments",
                       std::to_string(s.segments), "--lamps",
                       std::to_string(s.lamps), "--bins",
                       std::to_string(s.bins), "--sensors",
                       std::to_string(s.sensors), "-o", city_path},
                      (fs::path{s.workdir} / "generate.log").string()};
    if (!gen.wait(300s) || gen.how_ended() != "exit 0") {
      out.push_back({"cluster city", "-",
                     "generate-city failed: " + gen.how_ended()});
      return out;
    }
  }
  auto city = twin::load_city(city_path);
  if (!city) {
    out.push_back({"cluster city", "-", twin::describe(city.error())});
    return out;
  }
  auto entities = std::to_string(city->num_entities());
  auto targets = lamps_and_bins(*city);
  caf::actor_system_config cfg;
  if (auto err = actors::configure(cfg, actors::runtime_settings{})) {
    out.push_back({"cluster", "-", caf::to_string(err)});
    return out;
  }
  cfg.load<caf::io::middleman>();
  caf::actor_system sys{cfg};
  // The same readings into a twin in this process: what a message costs
  // when it does not cross a process boundary.
  std::vector<double> local_rates;
  {
    auto h = actors::spawn_twin(sys, *city, {num_shards, 0});
    if (!h) {
      out.push_back({"cluster", "-", twin::describe(h.error())});
      return out;
    }
    shard_view view{h->routers, h->publishers};
    uint64_t seq = 0;
    size_t next = 0;
    for (auto batch : s.batches)
      local_rates.push_back(
        throughput(sys, view, targets, s.readings, batch, seq, next));
    actors::stop_twin(sys, *h);
  }
  for (size_t b = 0; b < s.batches.size(); ++b)
    out.push_back({"readings/s into a twin in the same process (no network), "
                     + std::to_string(s.batches[b]) + " per message, "
                     + entities + " entities, 6 shards",
                   "-", fixed(local_rates[b] / 1e3, 1) + "k/s"});
  for (size_t n = 1; n <= 3; ++n) {
    cluster_run run{s, city_path, n};
    std::string label = std::to_string(n) + (n == 1 ? " node" : " nodes");
    if (!run.error.empty()) {
      out.push_back({"cluster of " + label, "-", "failed: " + run.error});
      continue;
    }
    std::string error;
    auto view = connect(sys, run, error);
    if (!view) {
      out.push_back({"cluster of " + label, "-", "failed: " + error});
      continue;
    }
    out.push_back({"boot of a cluster of " + label + ", " + entities
                     + " entities (every node serving HTTP)",
                   "-", fixed(run.boot_s, 1) + " s"});
    uint64_t seq = 0;
    size_t next = 0;
    if (n == 3) {
      // A viewer on south sees readings of entities on all three nodes.
      char log_template[] = "/tmp/citytwin-bench-cluster-XXXXXX";
      auto fd = ::mkstemp(log_template);
      if (fd >= 0)
        ::close(fd);
      std::string log_path = log_template;
      auto capacity = static_cast<size_t>(s.latency_rate * s.latency_seconds) + 1;
      std::vector<std::atomic<int64_t>> sent_at(capacity);
      child_process viewers{
        {s.self_exe, "--viewer-clients",
         "ws://127.0.0.1:" + std::to_string(run.nodes[2].http_port)
           + "/ws?format=proto",
         "1", "120", log_path, std::to_string(paced_t0),
         std::to_string(capacity)}};
      size_t opened = 0, snapshots = 0, failed = 0, closed = 0;
      double secs = 0;
      std::sscanf(viewers.read_line(130s).c_str(), "viewers %zu %zu %zu %zu %lf",
                  &opened, &snapshots, &failed, &closed, &secs);
      auto sent = send_paced(view->routers, targets, s.latency_rate,
                             s.latency_seconds, seq, sent_at);
      std::this_thread::sleep_for(2s);
      viewers.close_stdin();
      if (!viewers.wait(30s))
        viewers.stop();
      std::vector<int64_t> lat;
      for (const auto& [q, received] : read_delta_log(log_path))
        if (q < capacity)
          if (auto stamp = sent_at[q].load(); stamp > 0)
            lat.push_back(received - stamp);
      std::remove(log_path.c_str());
      std::sort(lat.begin(), lat.end());
      out.push_back(
        {"reading -> viewer across nodes, 3 nodes, " + entities
           + " entities: readings sent from this process to each shard's "
             "node, the viewer on south (2/3 of the entities elsewhere), "
           + fixed(s.latency_rate, 0) + " readings/s for "
           + fixed(s.latency_seconds, 0) + " s",
         "p99 reported",
         snapshots == 0
           ? "viewer got no snapshot"
           : "p50 " + fixed(percentile_ms(lat, 0.5), 1) + " ms, p99 "
               + fixed(percentile_ms(lat, 0.99), 1) + " ms, max "
               + fixed(lat.empty() ? 0 : double(lat.back()) / 1e6, 1)
               + " ms; " + std::to_string(lat.size()) + " of "
               + std::to_string(sent) + " seen"});
    }
    for (size_t b = 0; b < s.batches.size(); ++b) {
      auto rate = throughput(sys, *view, targets, s.readings, s.batches[b],
                             seq, next);
      // Every reading crosses from this process to its shard's node.
      auto overhead_us = (1 / rate - 1 / local_rates[b]) * 1e6;
      out.push_back({"readings/s into a cluster of " + label + ", "
                       + std::to_string(s.batches[b])
                       + " per message, from another process",
                     n == 1 ? "-" : "no gain expected on 2 cores",
                     fixed(rate / 1e3, 1) + "k/s ("
                       + fixed(rate / local_rates[b], 2)
                       + " of in-process; " + fixed(overhead_us, 2)
                       + " us more per reading)"});
    }
    if (n < 3)
      continue;
    // Fan-out queries on south: /api/status adds up all six shards'
    // counters (four on other nodes); one entity of north's shards.
    auto south = std::to_string(run.nodes[2].http_port);
    std::string remote_urn;
    for (const auto& t : targets)
      if (actors::shard_of(t.id, num_shards) == 0) {
        remote_urn = twin::to_urn(t.id, "big");
        break;
      }
    for (auto path : {std::string{"/api/status"},
                      "/api/entities/" + remote_urn}) {
      auto w = run_wrk("http://127.0.0.1:" + south + path, 1, 4,
                       s.query_seconds);
      out.push_back(
        {"query on south, 3 nodes, " + entities + " entities: GET " + path
           + (path == "/api/status" ? " (counters of all 6 shards)"
                                    : " (an entity on north)")
           + ", wrk -t1 -c4",
         "p99 reported",
         w.ok ? "p50 " + fixed(w.p50_ms, 2) + " ms, p99 " + fixed(w.p99_ms, 2)
                  + " ms, " + fixed(w.requests_per_s, 0) + " req/s, "
                  + fixed(w.non_2xx, 0) + " not 2xx"
              : "wrk failed: " + w.error});
    }
    // Under this load a node may miss heartbeats for 1.5 s and count as
    // down: its backup then takes its shards over although it runs.
    uint64_t moved = 0;
    for (const auto& node : run.nodes)
      if (auto st = status_of(node.http_port))
        moved += (*st)["cluster"].value("shardsAdopted", uint64_t{0});
    out.push_back({"shards moved to a backup during the 3-node runs above "
                   "although no node died (heartbeats missed under load)",
                   "0", std::to_string(moved)});
  }
  // Failover on a fresh, idle cluster: kill -9 centre; south (its
  // backup) brings its shards up.
  cluster_run run{s, city_path, 3};
  if (!run.error.empty()) {
    out.push_back({"failover cluster", "-", "failed: " + run.error});
    return out;
  }
  std::this_thread::sleep_for(3s);
  uint64_t adopted_before = 0;
  if (auto st = status_of(run.nodes[2].http_port))
    adopted_before = (*st)["cluster"].value("shardsAdopted", uint64_t{0});
  auto killed = clock_type::now();
  ::kill(run.nodes[1].proc->pid(), SIGKILL);
  double seen_down = 0, adopted = 0;
  uint64_t adoption_ms = 0;
  while (since(killed) < 120) {
    if (auto st = status_of(run.nodes[2].http_port)) {
      const auto& c = (*st)["cluster"];
      if (seen_down == 0 && c.value("degraded", false))
        seen_down = since(killed);
      if (c.value("shardsAdopted", uint64_t{0}) >= adopted_before + 2) {
        adopted = since(killed);
        adoption_ms = c.value("lastAdoptionMs", uint64_t{0});
        break;
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  out.push_back(
    {"failover, 3 idle nodes, " + entities
       + " entities: kill -9 of centre -> every entity of its 2 shards "
         "answering on south",
     "<= 10 s",
     adopted == 0
       ? "not within 120 s"
       : fixed(adopted, 2) + " s (seen down after " + fixed(seen_down, 2)
           + " s; spawn + every entity answering a fork "
           + std::to_string(adoption_ms) + " ms)"});
  return out;
}

} // namespace citytwin::bench
