// bench/soak_probe.cpp
#include "bench/soak_probe.hpp"

#include "adapters/mqtt/library.hpp"
#include "adapters/ngsi/http_client.hpp"
#include "twin/text.hpp"
#include "viz/ws_client.hpp"

#include <mosquitto.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>

namespace citytwin::bench {

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr auto timeout = 5s;
constexpr auto lost_after = 10s;
// The probed devices: a street light for the API (any will do), and a
// noise sensor bound by the driver's binding table for ingest.
constexpr const char* api_target
  = "/ngsi-ld/v1/entities/urn:ngsi-ld:StreetLight:demo:000042";
constexpr const char* probe_topic = "city/demo/noise_sensor/0";
constexpr const char* probe_base = "urn:dev:demo:noise_sensor:0:";

double since(clock_type::time_point epoch, clock_type::time_point t) {
  return std::chrono::duration<double>(t - epoch).count();
}

double ms_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

} // namespace

void latency_log::add(latency_sample s) {
  std::lock_guard guard{mtx_};
  samples_.push_back(s);
}

std::vector<latency_sample> latency_log::between(double from_s,
                                                 double to_s) const {
  std::lock_guard guard{mtx_};
  std::vector<latency_sample> result;
  for (const auto& s : samples_)
    if (s.t_s >= from_s && s.t_s < to_s)
      result.push_back(s);
  return result;
}

double quantile_ms(std::vector<latency_sample> samples, double p) {
  if (samples.empty())
    return 0;
  auto k = static_cast<size_t>(p * double(samples.size() - 1) + 0.5);
  std::nth_element(samples.begin(), samples.begin() + k, samples.end(),
                   [](const auto& a, const auto& b) { return a.ms < b.ms; });
  return samples[k].ms;
}

api_probe::api_probe(uint16_t port, clock_type::time_point epoch,
                     std::chrono::milliseconds period) {
  thread_ = std::thread([this, port, epoch, period] {
    auto client = std::make_unique<ngsi::http_client>("127.0.0.1", port,
                                                      timeout);
    const std::vector<std::pair<std::string, std::string>> headers{
      {"Authorization", "Bearer demo-viewer-secret"}};
    for (auto due = clock_type::now(); !stop_.load(); due += period) {
      std::this_thread::sleep_until(due);
      auto sent = clock_type::now();
      auto res = client->request("GET", api_target, headers);
      auto done = clock_type::now();
      bool ok = res && res->status == 200;
      log_.add({since(epoch, sent), ok ? ms_between(sent, done)
                                       : std::max(ms_between(sent, done),
                                                  1000.0 * timeout.count()),
                ok});
      if (!ok) // a fresh connection: the old one may be half dead
        client = std::make_unique<ngsi::http_client>("127.0.0.1", port,
                                                     timeout);
      if (clock_type::now() > due + period)
        due = clock_type::now(); // no bursts after a slow answer
    }
  });
}

api_probe::~api_probe() {
  stop_ = true;
  thread_.join();
}

viewer_probe::viewer_probe(uint16_t mqtt_port, uint16_t viewer_port,
                           clock_type::time_point epoch,
                           std::chrono::milliseconds period)
    : epoch_(epoch) {
  viewer_ = std::thread([this, viewer_port] { view_loop(viewer_port); });
  // The viewer's snapshot first, so that the first probes are not lost.
  std::this_thread::sleep_for(1s);
  publisher_ = std::thread(
    [this, mqtt_port, period] { publish_loop(mqtt_port, period); });
}

viewer_probe::~viewer_probe() {
  stop_ = true;
  publisher_.join();
  viewer_.join();
  // Probes still in flight are neither counted nor lost.
}

void viewer_probe::publish_loop(uint16_t mqtt_port,
                                std::chrono::milliseconds period) {
  mqtt::ensure_library();
  auto* m = mosquitto_new(nullptr, true, nullptr);
  mosquitto_connect(m, "127.0.0.1", mqtt_port, 30);
  mosquitto_loop_start(m);
  uint64_t k = 0;
  for (auto due = clock_type::now(); !stop_.load(); due += period) {
    std::this_thread::sleep_until(due);
    // A reading time of its own per probe (ms, 1 s in the past): the
    // viewer's delta carries it back as `updated_ms`.
    auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count()
                   - 1000;
    auto payload = std::string{"[{\"bn\":\""} + probe_base + "\",\"bt\":"
                   + twin::shortest(double(wall_ms) / 1000)
                   + ",\"n\":\"noise_level\",\"u\":\"dBA\",\"v\":"
                   + std::to_string(50 + (++k % 20)) + "}]";
    {
      std::lock_guard guard{mtx_};
      pending_[wall_ms] = clock_type::now();
    }
    mosquitto_publish(m, nullptr, probe_topic,
                      static_cast<int>(payload.size()), payload.data(), 0,
                      false);
    expire(false);
  }
  mosquitto_disconnect(m);
  mosquitto_loop_stop(m, true);
  mosquitto_destroy(m);
}

void viewer_probe::view_loop(uint16_t viewer_port) {
  auto url = "ws://127.0.0.1:" + std::to_string(viewer_port)
             + "/ws?token=demo-viewer-secret&format=json&kinds=noise_sensor";
  static const std::string key = "\"updated_ms\":";
  // Reconnects after a close or a quiet 10 s: the probe's own view must
  // survive overload; snapshot frames are ignored (they repeat old times).
  // Only then: a reconnect misses the probes of its gap (they show up
  // with the next one, 200 ms late) and, under overload, may find every
  // viewer slot taken.
  while (!stop_.load()) {
    viz::run_ws_client(
      url,
      [this](const std::string& payload, bool) {
        if (stop_.load())
          return false;
        if (payload.find("\"snapshot\":false") == std::string::npos)
          return true;
        for (auto pos = payload.find(key); pos != std::string::npos;
             pos = payload.find(key, pos + key.size()))
          seen(std::strtoll(payload.c_str() + pos + key.size(), nullptr, 10));
        return true;
      },
      0ms, 10s);
    if (!stop_.load())
      std::this_thread::sleep_for(200ms);
  }
}

void viewer_probe::seen(int64_t updated_ms) {
  auto now = clock_type::now();
  std::lock_guard guard{mtx_};
  if (pending_.find(updated_ms) == pending_.end())
    return;
  // The stream merges a newer change of an entity into an older one not
  // yet sent: the viewer then sees the newest state, which delivers every
  // older probe as well (at this moment).
  for (auto i = pending_.begin();
       i != pending_.end() && i->first <= updated_ms;) {
    log_.add({since(epoch_, i->second), ms_between(i->second, now), true});
    i = pending_.erase(i);
  }
}

void viewer_probe::expire(bool all) {
  auto now = clock_type::now();
  std::lock_guard guard{mtx_};
  for (auto i = pending_.begin(); i != pending_.end();) {
    if (!all && now - i->second < lost_after) {
      ++i;
      continue;
    }
    log_.add({since(epoch_, i->second),
              1000.0 * double(lost_after.count()), false});
    i = pending_.erase(i);
  }
}

} // namespace citytwin::bench
