// bench/soak.cpp: the soak and overload driver (bench/README.md, "Soak").
#include "bench/soak.hpp"

#include "adapters/mqtt/mosquitto_process.hpp"
#include "adapters/ngsi/http_client.hpp"
#include "bench/soak_sampler.hpp"
#include "twin/city_file.hpp"
#include "twin/entity_id.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

namespace citytwin::bench {

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using children = std::vector<std::unique_ptr<child_process>>;

constexpr const char* viewer_token = "demo-viewer-secret";
constexpr const char* admin_token = "demo-admin-secret";
// Children outlive their phase by this much at most: the driver closes
// their stdin at the phase's end, this is only the fallback.
constexpr double child_slack_s = 10;
const char* const watched_types[] = {"WasteContainer", "ParkingSensor",
                                     "AirQualitySensor", "TrafficCounter",
                                     "EnergyMeter"};

// One device line per thing, in the naming bench/senml_stream publishes.
bool write_bindings(const std::string& city_path, const std::string& path) {
  auto c = twin::load_city(city_path);
  if (!c)
    return false;
  std::ofstream out{path};
  out << "citytwin-bindings 1\ncity " << c->name << "\n";
  for (const auto& p : c->things)
    out << "device urn:dev:" << c->name << ":" << twin::to_string(p.id.kind)
        << ":" << p.id.number << ": " << twin::to_urn(p.id, c->name) << "\n";
  return bool(out);
}

struct driver {
  const soak_options& opt;
  std::string viewer_url;
  uint16_t mqtt_port = 0;
  uint16_t api_port = 0;
  size_t load_errors = 0;
  std::vector<std::string> notes;

  std::unique_ptr<child_process> spawn(std::vector<std::string> args) {
    args.insert(args.begin(), opt.self_exe);
    return std::make_unique<child_process>(args);
  }

  std::unique_ptr<child_process> viewers(size_t n, double seconds) {
    return spawn({"--viewer-clients", viewer_url, std::to_string(n),
                  std::to_string(seconds)});
  }

  // Ingest at `rate` packs/s over as many publishers as one-capacity
  // shares: one publisher process alone may not offer 2x.
  void ingest(children& out, double rate, double per_child, double seconds) {
    auto n = std::max(1.0, std::ceil(rate / std::max(1.0, per_child)));
    for (int i = 0; i < static_cast<int>(n); ++i)
      out.push_back(spawn({"--ingest", std::to_string(mqtt_port), opt.city,
                           std::to_string(rate / n),
                           std::to_string(seconds + child_slack_s)}));
  }

  // Enough connections that the paced rate never waits on an answer in
  // steady state (capacity was measured with 4 closed-loop connections).
  void api(children& out, double rate, double capacity, double seconds) {
    auto conns = std::max(2.0, std::ceil(2 * rate / std::max(1.0, capacity / 4)));
    out.push_back(spawn({"--api", std::to_string(api_port), viewer_token,
                         std::to_string(rate), std::to_string(size_t(conns)),
                         std::to_string(seconds + child_slack_s)}));
  }

  // Closes stdin of each, collects the result lines, counts API errors.
  void finish(children& cs, const std::string& phase) {
    for (auto& c : cs)
      c->close_stdin();
    for (auto& c : cs) {
      for (auto line = c->read_line(15s); !line.empty();
           line = c->read_line(2s)) {
        notes.push_back(phase + ": " + line);
        size_t ok = 0, bad = 0;
        if (std::sscanf(line.c_str(), "api %zu %zu", &ok, &bad) == 2)
          load_errors += bad;
        if (line.rfind("error", 0) == 0)
          ++load_errors;
      }
      c->stop(5s);
    }
    cs.clear();
  }
};

// Seconds from `from_s` until the 5 s windows' p99 (of `get`) stays at or
// below `limit` for 30 s; -1 if it never does.
template <class Get>
double recovery_s(const std::vector<soak_window>& ws, double from_s,
                  double limit, Get get) {
  for (size_t i = 0; i < ws.size(); ++i) {
    if (ws[i].t_s <= from_s)
      continue;
    bool stays = true;
    size_t n = 0;
    for (size_t j = i; j < ws.size() && ws[j].t_s - ws[i].t_s < 30; ++j, ++n)
      stays = stays && get(ws[j]) >= 0 && get(ws[j]) <= limit;
    if (stays && n >= 6)
      return std::max(0.0, ws[i].t_s - soak_sampler::window_s - from_s);
  }
  return -1;
}

double p99_between(const latency_log& log, double from, double to) {
  return quantile_ms(log.between(from, to), 0.99);
}

} // namespace

int run_soak(const soak_options& opt) {
  namespace fs = std::filesystem;
  fs::create_directories(opt.out_dir);
  auto bindings = opt.out_dir + "/soak.bindings";
  if (!write_bindings(opt.city, bindings)) {
    std::fprintf(stderr, "soak: cannot read %s\n", opt.city.c_str());
    return 1;
  }
  mqtt::mosquitto_process broker;
  if (!broker.running()) {
    std::fprintf(stderr, "soak: mosquitto did not start\n");
    return 1;
  }
  auto epoch = clock_type::now();
  fs::remove(opt.out_dir + "/server.log");
  soak_server server{{opt.server_exe, opt.city, opt.access, bindings,
                      broker.port(), opt.out_dir + "/server.log"}};
  if (!server.wait_ready(120)) {
    std::fprintf(stderr, "soak: the server did not answer /health (%s)\n",
                 server.how_ended().c_str());
    return 1;
  }
  driver d{opt, {}, 0, 0, 0, {}};
  d.mqtt_port = broker.port();
  d.api_port = server.api_port();
  d.viewer_url = "ws://127.0.0.1:" + std::to_string(server.viewer_port())
                 + "/ws?token=" + viewer_token + "&format=proto";
  auto total_s = 60 * (opt.minutes + opt.overload_minutes
                       + (opt.overload_minutes > 0 ? opt.recovery_minutes : 0));
  // Webhook receiver and its subscriptions, all on 127.0.0.1.
  auto receiver = d.spawn({"--webhook-receiver",
                           std::to_string(total_s + 600)});
  unsigned hook_port = 0;
  std::sscanf(receiver->read_line(10s).c_str(), "port %u", &hook_port);
  ngsi::http_client api{"127.0.0.1", server.api_port()};
  size_t subscribed = 0;
  for (size_t i = 0; i < opt.subscriptions && hook_port > 0; ++i) {
    nlohmann::json body = {
      {"type", "Subscription"},
      {"entities", {{{"type", watched_types[i % 5]}}}},
      {"notification",
       {{"endpoint", {{"uri", "http://127.0.0.1:" + std::to_string(hook_port)
                                + "/notify/" + std::to_string(i)}}}}}};
    auto res = api.request("POST", "/ngsi-ld/v1/subscriptions",
                           {{"Authorization", std::string{"Bearer "} + admin_token},
                            {"Content-Type", "application/json"}},
                           body.dump());
    if (res && res->status == 201)
      ++subscribed;
    else
      d.notes.push_back("subscription refused: "
                        + (res ? std::to_string(res->status) + " " + res->body
                               : std::string{"no answer"}));
  }
  auto rss_start = read_process_memory(server.pid()).rss_kib / 1024;
  auto half_viewers = opt.viewer_capacity / 2;
  auto steady_viewers = d.viewers(half_viewers, total_s + 600);
  std::this_thread::sleep_for(5s);
  // Capacity, unless given: ingest with the viewers on, then the API.
  auto ingest_cap = opt.ingest_capacity;
  if (ingest_cap <= 0) {
    // What the server took in while offered more than it can: the counter
    // from before the blast to its end, over that time. The broker's
    // backlog is drained before anything else is measured.
    auto received = [&] {
      return server.metrics().sum("citytwin_ingest_messages_total");
    };
    auto m0 = received();
    auto t0 = clock_type::now();
    children blast;
    d.ingest(blast, 0, 1, 10);
    std::this_thread::sleep_for(10s);
    auto m1 = received();
    ingest_cap = (m1 - m0)
                 / std::chrono::duration<double>(clock_type::now() - t0).count();
    d.finish(blast, "capacity");
    for (int i = 0; i < 60; ++i) {
      std::this_thread::sleep_for(2s);
      auto m2 = received();
      if (m2 - m1 < 0.02 * ingest_cap)
        break;
      m1 = m2;
    }
    if (ingest_cap <= 0) {
      std::fprintf(stderr, "soak: no ingest capacity measured\n");
      return 1;
    }
  }
  auto api_cap = opt.api_capacity;
  if (api_cap <= 0) {
    auto c = d.spawn({"--api", std::to_string(server.api_port()), viewer_token,
                      "0", "4", "8"});
    size_t ok = 0, bad = 0, late = 0;
    double secs = 0;
    std::sscanf(c->read_line(30s).c_str(), "api %zu %zu %zu %lf", &ok, &bad,
                &late, &secs);
    api_cap = secs > 0 ? double(ok) / secs : 0;
    c->stop(5s);
  }
  soak_summary sum;
  sum.mode = opt.overload_minutes > 0 ? "overload" : "soak";
  std::ostringstream settings;
  settings << "Capacity: ingest " << std::lround(ingest_cap)
           << " SenML packs/s (MQTT, measured with " << half_viewers
           << " viewers on), API " << std::lround(api_cap)
           << " reads/s (4 closed-loop connections), viewers "
           << opt.viewer_capacity << " (--max-viewers). Steady: half of each; "
           << subscribed << " webhook subscriptions to a receiver on 127.0.0.1; "
              "probes: API read every 100 ms, ingest -> viewer every 200 ms.";
  if (opt.overload_minutes > 0)
    settings << " Overload: 2x ingest and API rates, viewers "
             << 2 * opt.viewer_capacity << " requested, for "
             << opt.overload_minutes << " min; recovery at half for "
             << opt.recovery_minutes << " min.";
  sum.settings = settings.str();
  std::fprintf(stderr, "soak: %s\n", sum.settings.c_str());
  // The probes and the phases.
  api_probe ap{server.api_port(), epoch, 100ms};
  viewer_probe vp{broker.port(), server.viewer_port(), epoch, 200ms};
  soak_sampler sampler{server, epoch, ap, vp};
  struct phase {
    std::string name;
    double minutes;
    double factor;
  };
  std::vector<phase> phases{{"steady", opt.minutes, 0.5}};
  if (opt.overload_minutes > 0) {
    phases.push_back({"overload", opt.overload_minutes, 2});
    phases.push_back({"recovery", opt.recovery_minutes, 0.5});
  }
  double overload_from = 0, overload_to = 0, steady_to = 0;
  bool crashed = false;
  for (const auto& ph : phases) {
    if (crashed)
      break;
    auto secs = ph.minutes * 60;
    children load;
    d.ingest(load, ph.factor * ingest_cap, ingest_cap, secs);
    d.api(load, ph.factor * api_cap, api_cap, secs);
    if (ph.factor > 1) {
      overload_from = sampler.now_s();
      load.push_back(d.viewers(
        size_t(ph.factor * double(opt.viewer_capacity)) - half_viewers, secs));
    }
    std::fprintf(stderr, "soak: %s for %.1f min\n", ph.name.c_str(),
                 ph.minutes);
    auto end = sampler.now_s() + secs;
    for (auto next = sampler.now_s() + soak_sampler::window_s;
         next <= end + 0.5; next += soak_sampler::window_s) {
      std::this_thread::sleep_for(
        std::chrono::duration<double>(std::max(0.0, next - sampler.now_s())));
      sampler.tick(ph.name);
      if (!server.alive()) {
        crashed = true;
        break;
      }
    }
    d.finish(load, ph.name);
    if (ph.name == "steady")
      steady_to = sampler.now_s();
    if (ph.factor > 1)
      overload_to = sampler.now_s();
  }
  // The end: still alive and answering?
  sum.healthy_at_end = server.alive() && server.healthy(5000);
  sum.crashes = crashed || !server.alive() ? 1 : 0;
  auto mem = read_process_memory(server.pid());
  sum.rss_start_mib = rss_start;
  sum.rss_peak_mib = mem.hwm_kib / 1024;
  sum.rss_end_mib = mem.rss_kib / 1024;
  sampler.finalize();
  const auto& ws = sampler.windows();
  std::vector<double> steady_rss;
  for (const auto& w : ws) {
    // The steady level: after its first minute (viewers and caches settle).
    if (w.phase == "steady" && w.t_s > ws.front().t_s + 60)
      steady_rss.push_back(w.rss_mib);
    if (w.phase != "steady")
      sum.rss_overload_peak_mib = std::max(sum.rss_overload_peak_mib, w.rss_mib);
  }
  if (!steady_rss.empty()) {
    std::sort(steady_rss.begin(), steady_rss.end());
    sum.rss_steady_mib = steady_rss[steady_rss.size() / 2];
  }
  auto steady_from = ws.empty() ? 0 : ws.front().t_s - soak_sampler::window_s;
  sum.api_steady_p99_ms = p99_between(ap.log(), steady_from, steady_to);
  sum.view_steady_p99_ms = p99_between(vp.log(), steady_from, steady_to);
  if (overload_to > 0) {
    sum.api_overload_p99_ms = p99_between(ap.log(), overload_from, overload_to);
    sum.view_overload_p99_ms = p99_between(vp.log(), overload_from, overload_to);
    // "Back to steady": each 5 s window's p99 within 1.5x the steady p99.
    sum.api_recovery_s = recovery_s(ws, overload_to, 1.5 * sum.api_steady_p99_ms,
                                    [](const auto& w) { return w.api_p99_ms; });
    sum.view_recovery_s
      = recovery_s(ws, overload_to, 1.5 * sum.view_steady_p99_ms,
                   [](const auto& w) { return w.view_p99_ms; });
    // A steady p99 that is itself a lost probe is no level to return to.
    constexpr double lost_ms = 10000;
    if (sum.api_steady_p99_ms >= lost_ms)
      sum.api_recovery_s = -2;
    if (sum.view_steady_p99_ms >= lost_ms)
      sum.view_recovery_s = -2;
  }
  steady_viewers->close_stdin();
  d.notes.push_back("steady viewers: " + steady_viewers->read_line(5s));
  steady_viewers->stop(5s);
  receiver->close_stdin();
  d.notes.push_back("webhook receiver: " + receiver->read_line(10s));
  receiver->stop(5s);
  sum.errors = sampler.probe_failures() + d.load_errors;
  d.notes.push_back("server " + server.how_ended()
                    + (server.stop() ? ", stopped by SIGTERM within 10 s"
                                     : ", needed SIGKILL or was gone"));
  sum.notes = d.notes;
  write_samples_csv(opt.out_dir + "/samples.csv", sampler.minutes());
  write_windows_csv(opt.out_dir + "/windows.csv", ws);
  write_soak_report(opt.out_dir + "/report.md", sum, sampler.minutes());
  write_soak_svg(opt.out_dir + "/soak.svg", ws);
  std::fprintf(stderr, "soak: report in %s/report.md\n", opt.out_dir.c_str());
  return sum.crashes == 0 && sum.healthy_at_end ? 0 : 1;
}

} // namespace citytwin::bench
