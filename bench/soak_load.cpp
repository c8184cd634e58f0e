// bench/soak_load.cpp
#include "bench/soak_load.hpp"

#include "adapters/mqtt/library.hpp"
#include "adapters/ngsi/http_client.hpp"
#include "adapters/ngsi/http_listener.hpp"
#include "bench/senml_stream.hpp"
#include "twin/city_file.hpp"
#include "twin/entity_id.hpp"
#include "twin/text.hpp"

#include <mosquitto.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <poll.h>
#include <thread>
#include <unistd.h>

namespace citytwin::bench {

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// Rounds of the generated stream: enough that a device's consecutive
// packs always carry different values (each reading changes its entity).
constexpr size_t stream_rounds = 20;
constexpr auto tick = 5ms;

// True once the parent closed our stdin (or died).
bool parent_gone() {
  pollfd p{0, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0)
    return false;
  char buf[64];
  return ::read(0, buf, sizeof buf) <= 0;
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Replaces the pack's base time by `time_s`: the twin refuses readings
// that are too old, out of order or duplicated, and the generated stream
// would repeat its times after one pass.
std::string restamp(const std::string& payload, double time_s) {
  auto at = payload.find("\"bt\":");
  if (at == std::string::npos)
    return payload;
  at += 5;
  auto end = payload.find(',', at);
  return payload.substr(0, at) + twin::shortest(time_s) + payload.substr(end);
}

double wall_seconds() {
  return std::chrono::duration<double>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

int run_ingest_load(uint16_t port, const std::string& city_path, double rate,
                    double seconds) {
  auto c = twin::load_city(city_path);
  if (!c) {
    std::printf("error %s\n", caf::to_string(c.error()).c_str());
    return 1;
  }
  auto devices = c->things.size();
  auto stream = make_senml_stream(*c, devices * stream_rounds, wall_seconds());
  std::vector<const senml_stream::message*> messages;
  for (const auto& m : stream.messages)
    if (stream.topics[m.device].find(probe_kind) == std::string::npos)
      messages.push_back(&m);
  mqtt::ensure_library();
  auto* m = mosquitto_new(nullptr, true, nullptr);
  if (!m || mosquitto_connect(m, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS
      || mosquitto_loop_start(m) != MOSQ_ERR_SUCCESS || messages.empty()) {
    std::printf("error cannot connect to 127.0.0.1:%u\n", port);
    return 1;
  }
  size_t published = 0;
  size_t next = 0;
  auto start = clock_type::now();
  for (auto wake = start; seconds_since(start) < seconds; wake += tick) {
    std::this_thread::sleep_until(wake);
    if (parent_gone())
      break;
    auto due = rate > 0 ? static_cast<size_t>(rate * seconds_since(start))
                        : published + 500;
    // Millisecond times, a second in the past: each device's packs are
    // hundreds of ms apart, so they stay in order and never "in_future".
    auto now_s = std::floor(wall_seconds() * 1000) / 1000 - 1;
    for (; published < due; ++published) {
      const auto& msg = *messages[next];
      next = (next + 1) % messages.size();
      auto payload = restamp(msg.payload, now_s);
      mosquitto_publish(m, nullptr, stream.topics[msg.device].c_str(),
                        static_cast<int>(payload.size()), payload.data(), 0,
                        false);
    }
    if (wake < clock_type::now() - 1s)
      wake = clock_type::now(); // behind: do not burst to catch up
  }
  auto elapsed = seconds_since(start);
  mosquitto_disconnect(m);
  mosquitto_loop_stop(m, true);
  mosquitto_destroy(m);
  std::printf("ingest %zu %.3f\n", published, elapsed);
  std::fflush(stdout);
  return 0;
}

int run_api_load(uint16_t port, const std::string& token, double rate,
                 size_t connections, double seconds) {
  std::atomic<size_t> ok{0};
  std::atomic<size_t> bad{0};
  std::atomic<size_t> late{0};
  std::atomic<bool> stop{false};
  auto start = clock_type::now();
  auto stop_at = start + std::chrono::duration_cast<clock_type::duration>(
                   std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < connections; ++t)
    threads.emplace_back([&, t] {
      ngsi::http_client client{"127.0.0.1", port};
      std::vector<std::pair<std::string, std::string>> headers{
        {"Authorization", "Bearer " + token}};
      auto interval = rate > 0 ? std::chrono::duration<double>(
                                   double(connections) / rate)
                               : std::chrono::duration<double>(0);
      auto due = start + std::chrono::duration_cast<clock_type::duration>(
                   interval * (double(t) / double(connections)));
      for (size_t i = t * 7919; !stop.load() && clock_type::now() < stop_at;
           ++i) {
        if (rate > 0) {
          std::this_thread::sleep_until(due);
          due += std::chrono::duration_cast<clock_type::duration>(interval);
          if (clock_type::now() - due > 1s) {
            ++late;
            continue;
          }
        }
        auto target
          = i % 2 == 0
              ? "/ngsi-ld/v1/entities/"
                  + twin::to_urn({twin::entity_kind::street_lamp,
                                  static_cast<uint32_t>(i % 5000)},
                                 "demo")
              : "/ngsi-ld/v1/entities?type=WasteContainer&limit=20&offset="
                  + std::to_string(i % 480);
        auto res = client.request("GET", target, headers);
        (res && res->status == 200 ? ok : bad) += 1;
      }
    });
  while (clock_type::now() < stop_at && !stop.load()) {
    std::this_thread::sleep_for(100ms);
    if (parent_gone())
      stop = true;
  }
  stop = true;
  for (auto& th : threads)
    th.join();
  std::printf("api %zu %zu %zu %.3f\n", ok.load(), bad.load(), late.load(),
              seconds_since(start));
  std::fflush(stdout);
  return 0;
}

int run_webhook_receiver(double seconds) {
  std::atomic<size_t> received{0};
  ngsi::listener_config config;
  config.threads = 1;
  ngsi::http_listener listener{
      config, ngsi::answer_at_once([&](const ngsi::http_request&) {
        ++received;
        return ngsi::http_response{204, {}, {}};
      })};
  std::string error;
  if (!listener.start(error)) {
    std::printf("error %s\n", error.c_str());
    return 1;
  }
  std::printf("port %u\n", listener.port());
  std::fflush(stdout);
  auto start = clock_type::now();
  while (seconds_since(start) < seconds && !parent_gone())
    std::this_thread::sleep_for(100ms);
  listener.stop();
  std::printf("received %zu\n", received.load());
  std::fflush(stdout);
  return 0;
}

} // namespace citytwin::bench
