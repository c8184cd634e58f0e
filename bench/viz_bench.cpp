// bench/viz_bench.cpp
#include "bench/viz_bench.hpp"

#include "bench/child_process.hpp"
#include "bench/paced_sender.hpp"
#include "bench/viewer_clients.hpp"

#include "actors/runtime.hpp"
#include "actors/shard.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "viz/live_stream.hpp"
#include "viz/ws_client.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace citytwin::bench {

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr auto setup_limit = 20s;
// Time for the last frames to reach the clients after a rate's run.
constexpr auto drain_time = 1s;

// 1,000 viewers need 1,000 sockets in the server and as many in the
// clients' process, which inherits this limit.
void raise_fd_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

// A twin of a city served by the live stream on 127.0.0.1, port 0.
struct served_twin {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  actors::twin_handles handles;
  viz::http_server server{nullptr};
  std::unique_ptr<viz::live_stream> stream;
  std::string error;

  served_twin(const twin::city& c, viz::live_stream_config config) {
    if (auto err = actors::configure(cfg, actors::runtime_settings{})) {
      error = caf::to_string(err);
      return;
    }
    sys = std::make_unique<caf::actor_system>(cfg);
    sys->await_actors_before_shutdown(false);
    auto h = actors::spawn_twin(*sys, c);
    if (!h) {
      error = caf::to_string(h.error());
      return;
    }
    handles = *h;
    stream = std::make_unique<viz::live_stream>(server, c, std::move(config));
    server.set_handler(stream->wrap([](const viz::http_request&) {
      return viz::http_response{404, "text/plain", "no"};
    }));
    if (!server.start("127.0.0.1", 0, error))
      return;
    if (auto err = stream->subscribe(*sys, handles))
      error = caf::to_string(err);
  }

  ~served_twin() {
    server.stop();
    if (stream)
      stream->stop();
    if (handles.front)
      actors::stop_twin(*sys, handles);
  }

  std::string url(const std::string& query) const {
    return "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws?" + query;
  }
};

} // namespace

stream_latency_result measure_stream_latency(const twin::city& c,
                                             const std::vector<double>& rates,
                                             size_t clients, double seconds,
                                             const std::string& format,
                                             const std::string& self_exe) {
  stream_latency_result result;
  result.clients = clients;
  served_twin served{c, viz::live_stream_config{}};
  if (!served.error.empty()) {
    result.skipped = served.error;
    return result;
  }
  auto targets = lamps_and_bins(c);
  if (targets.empty()) {
    result.skipped = "no lamps or bins in the city";
    return result;
  }
  size_t capacity = 1;
  for (auto r : rates)
    capacity += static_cast<size_t>(r * seconds);
  std::vector<std::atomic<int64_t>> sent_at(capacity);
  // The clients run in a child process, so their work is not the server's
  // and a frame crosses a real socket between processes. They log what
  // they saw and when (CLOCK_MONOTONIC, shared by both processes) and
  // write it out once their stdin closes.
  char log_template[] = "/tmp/citytwin-bench-deltas-XXXXXX";
  auto fd = ::mkstemp(log_template);
  if (fd < 0) {
    result.skipped = "cannot create a temporary file for the clients' log";
    return result;
  }
  ::close(fd);
  std::string log_path = log_template;
  child_process viewers{{self_exe, "--viewer-clients",
                         served.url("format=" + format),
                         std::to_string(clients),
                         std::to_string(std::chrono::duration<double>(
                                          setup_limit)
                                          .count()),
                         log_path, std::to_string(paced_t0),
                         std::to_string(capacity)}};
  // "viewers <opened> <snapshots> <failed> <closed> <seconds>"
  size_t opened = 0, snapshots = 0, failed = 0, closed = 0;
  double secs = 0;
  std::sscanf(viewers.read_line(setup_limit + 5s).c_str(),
              "viewers %zu %zu %zu %zu %lf", &opened, &snapshots, &failed,
              &closed, &secs);
  result.clients_ready = snapshots;
  uint64_t seq = 0;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto rate : rates) {
    auto first = seq;
    auto sent
        = send_paced(served.handles.routers, targets, rate, seconds, seq, sent_at);
    ranges.emplace_back(first, seq);
    result.rates.push_back({rate, sent});
    std::this_thread::sleep_for(drain_time);
  }
  viewers.close_stdin();
  if (!viewers.wait(30s))
    viewers.stop();
  auto seen = read_delta_log(log_path);
  std::remove(log_path.c_str());
  for (size_t r = 0; r < ranges.size(); ++r) {
    std::vector<int64_t> lat;
    for (const auto& [s, received] : seen) {
      if (s < ranges[r].first || s >= ranges[r].second)
        continue;
      auto stamp = sent_at[s].load(std::memory_order_relaxed);
      if (stamp > 0)
        lat.push_back(received - stamp);
    }
    std::sort(lat.begin(), lat.end());
    auto& out = result.rates[r];
    out.measured = lat.size();
    out.expected = out.sent * clients;
    out.p50_ms = percentile_ms(lat, 0.50);
    out.p99_ms = percentile_ms(lat, 0.99);
    out.max_ms = lat.empty() ? 0 : double(lat.back()) / 1e6;
  }
  return result;
}

viewers_result measure_viewers(const twin::city& c, size_t n,
                               const std::string& self_exe,
                               double time_limit_s) {
  viewers_result result;
  result.requested = n;
  raise_fd_limit();
  viz::live_stream_config config;
  // n viewers plus the one that checks the server still serves.
  config.stream.max_clients = n + 1;
  // A capacity figure: the port's own connection cap would refuse half.
  config.max_connections = n + 16;
  served_twin served{c, config};
  if (!served.error.empty()) {
    result.skipped = served.error;
    return result;
  }
  // One viewer first, so that lazily built state (the layout frame, the
  // JSON encoder) is not counted as per-viewer memory.
  viz::run_ws_client(
      served.url("format=proto"),
      [&](const std::string& payload, bool) {
        result.snapshot_bytes += payload.size();
        return payload.find("\"type\":\"snapshot_end\"") == std::string::npos;
      },
      std::chrono::milliseconds(static_cast<int64_t>(time_limit_s * 1000)));
  std::this_thread::sleep_for(200ms);
  ::malloc_trim(0);
  auto rss_before = actors::resident_memory_bytes();
  // Arguments are built before fork: the child only calls exec.
  auto url = served.url("format=proto");
  auto count = std::to_string(n);
  auto limit = std::to_string(time_limit_s);
  std::vector<char*> argv{const_cast<char*>(self_exe.c_str()),
                          const_cast<char*>("--viewer-clients"),
                          url.data(),
                          count.data(),
                          limit.data(),
                          nullptr};
  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0
      || ::pipe2(from_child, O_CLOEXEC) != 0) {
    result.skipped = "pipe failed";
    return result;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(to_child[0], 0);
    ::dup2(from_child[1], 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (pid < 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    result.skipped = "fork failed";
    return result;
  }
  // The child prints one line once every viewer is served (or at its own
  // time limit, which is ours).
  std::string line;
  char ch = 0;
  while (::read(from_child[0], &ch, 1) == 1 && ch != '\n')
    line += ch;
  std::sscanf(line.c_str(), "viewers %zu %zu %zu %zu %lf", &result.opened,
              &result.snapshots, &result.failed, &result.closed,
              &result.connect_seconds);
  // Let the last frames leave the server's buffers.
  std::this_thread::sleep_for(500ms);
  result.rss_growth_bytes
      = double(actors::resident_memory_bytes()) - double(rss_before);
  // What the server holds, as opposed to what the allocator keeps cached
  // from the transient snapshot frames.
  ::malloc_trim(0);
  result.rss_growth_trimmed_bytes
      = double(actors::resident_memory_bytes()) - double(rss_before);
  // Still serving with every viewer connected: one more gets the snapshot
  // and then the delta of a new reading.
  auto targets = lamps_and_bins(c);
  if (targets.empty()) {
    result.skipped = "no lamps or bins in the city";
    targets.push_back({});
  }
  bool snapshot_done = false;
  auto start = clock_type::now();
  viz::run_ws_client(
      served.url("format=json&kinds=street_lamp,waste_bin"),
      [&](const std::string& payload, bool) {
        if (payload.find("\"type\":\"snapshot_end\"") != std::string::npos) {
          snapshot_done = true;
          twin::reading r;
          r.target = targets.front().id;
          r.what = targets.front().what;
          r.time = paced_t0;
          r.value = 0.42;
          caf::anon_send(served.handles.front, actors::observe_atom_v,
                         twin::reading_batch{r});
          return true;
        }
        if (snapshot_done
            && payload.find("\"snapshot\":false") != std::string::npos) {
          result.last_served = true;
          return false;
        }
        return true;
      },
      std::chrono::milliseconds(static_cast<int64_t>(time_limit_s * 1000)));
  result.last_ms
      = std::chrono::duration<double, std::milli>(clock_type::now() - start)
            .count();
  ::close(to_child[1]); // the child closes its viewers and exits
  ::close(from_child[0]);
  // Bounded: SIGKILL if the child has not gone within 5 s.
  int status = 0;
  for (int i = 0; i < 500 && ::waitpid(pid, &status, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(10ms);
  if (::waitpid(pid, &status, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  return result;
}

} // namespace citytwin::bench
