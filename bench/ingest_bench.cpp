// bench/ingest_bench.cpp
#include "bench/ingest_bench.hpp"

#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "adapters/ingest/payload_decoder.hpp"
#include "adapters/ingest/shard_batcher.hpp"
#include "adapters/mqtt/ingest_client.hpp"
#include "adapters/mqtt/mosquitto_process.hpp"
#include "adapters/mqtt/publisher.hpp"
#include "bench/subscriber_process.hpp"
#include "bench/twin_watch.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <ctime>
#include <thread>

namespace citytwin::bench {

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// How often the twin's counters are read, and how long nothing may move
// before a run counts as over.
constexpr auto poll_interval = 2ms;
constexpr auto idle_limit = 2s;
// Waits for a broker, a subscription or a first message.
constexpr auto setup_limit = 5s;
const std::string probe_topic = "citytwin-bench/probe";

double seconds_between(clock_type::time_point a, clock_type::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU time of the calling thread: on a shared machine, what the decoder
// itself costs.
double thread_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

twin::time_ms wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

template <class F>
bool wait_until(F done, std::chrono::milliseconds limit) {
  auto deadline = clock_type::now() + limit;
  while (!done()) {
    if (clock_type::now() > deadline)
      return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

ingest::decoder_config decoding_of(const twin::city& c,
                                   const senml_stream& stream) {
  ingest::decoder_config result;
  result.bindings = stream.bindings;
  result.city = c.name;
  result.tenant = stream.tenant;
  return result;
}

// Publishes a probe until `sub` printed one: then it is subscribed.
bool wait_subscribed(mqtt::publisher& pub, const subscriber_process& sub) {
  return wait_until(
    [&] {
      if (sub.num_probes() > 0)
        return true;
      static_cast<void>(pub.publish(probe_topic, "probe", 0));
      std::this_thread::sleep_for(50ms);
      return sub.num_probes() > 0;
    },
    setup_limit);
}

} // namespace

mqtt_ingest_result measure_mqtt_ingest(const twin::city& c,
                                       const senml_stream& stream,
                                       const actors::runtime_settings& rt,
                                       double time_limit_s, int qos,
                                       archive::keep_fn keep) {
  mqtt_ingest_result result;
  mqtt::mosquitto_process broker;
  if (!broker.running()) {
    result.skipped = "mosquitto is not installed or did not start";
    return result;
  }
  caf::actor_system_config cfg;
  actors::configure(cfg, rt);
  caf::actor_system sys{cfg};
  sys.await_actors_before_shutdown(false);
  auto handles = actors::spawn_twin(sys, c);
  if (!handles) {
    result.skipped = "the twin did not start";
    return result;
  }
  mqtt::ingest_client_config config;
  config.broker = {"127.0.0.1", broker.port()};
  config.qos = qos;
  if (keep) {
    config.keep = std::move(keep);
    config.persistent_session = true;
    config.client_id = "citytwin-bench";
  }
  auto client = mqtt::ingest_client::start(
    config, decoding_of(c, stream), ingest::router_sink(handles->routers),
    handles->routers.size());
  subscriber_process sub{broker.port(),
                         {"city/" + stream.tenant + "/+/+", probe_topic}, qos};
  auto pub = mqtt::publisher::connect({"127.0.0.1", broker.port()},
                                      setup_limit);
  if (!client || !sub.running() || !pub
      || !wait_until([&] { return (*client)->subscribed(); }, setup_limit)
      || !wait_subscribed(**pub, sub)) {
    result.skipped = "the subscribers did not come up";
    actors::stop_twin(sys, *handles);
    return result;
  }
  auto start = clock_type::now();
  sub.reset_clock(start);
  for (const auto& m : stream.messages) {
    if (auto err = (*pub)->publish(stream.topics[m.device], m.payload, qos))
      break;
    ++result.published;
  }
  auto deadline = start + std::chrono::duration_cast<clock_type::duration>(
                            std::chrono::duration<double>(time_limit_s));
  auto drain_limit = std::chrono::duration_cast<std::chrono::milliseconds>(
    deadline - clock_type::now());
  (*pub)->drain(std::max(drain_limit, std::chrono::milliseconds{1}));
  result.publish_seconds = seconds_between(start, clock_type::now());
  twin_watch watch{sys, *handles, start};
  bool finished = false;
  for (;;) {
    watch.poll();
    auto now = clock_type::now();
    bool sub_done = sub.num_lines() >= result.published;
    bool twin_done = watch.done(stream.num_readings);
    if (sub_done && twin_done) {
      finished = true;
      break;
    }
    auto idle_since = std::max(watch.last_change(), sub.last_line());
    if (now > deadline || now - idle_since > idle_limit)
      break;
    std::this_thread::sleep_for(poll_interval);
  }
  result.sub_messages = sub.num_lines();
  result.sub_seconds = seconds_between(start, sub.last_line());
  result.twin_messages = (*client)->counters().snapshot().messages;
  result.twin = watch.result(finished);
  result.twin.readings_rejected
    += (*client)->counters().snapshot().rejected_total();
  sub.stop();
  (*client)->stop();
  actors::stop_twin(sys, *handles);
  return result;
}

senml_apply_result measure_senml_apply(const twin::city& c,
                                       const senml_stream& stream,
                                       const actors::runtime_settings& rt,
                                       size_t threads, double time_limit_s) {
  senml_apply_result result;
  result.threads = threads;
  result.messages = stream.messages.size();
  caf::actor_system_config cfg;
  actors::configure(cfg, rt);
  caf::actor_system sys{cfg};
  sys.await_actors_before_shutdown(false);
  auto handles = actors::spawn_twin(sys, c);
  if (!handles || threads == 0)
    return result;
  // Devices are split between the threads, so every device's packs stay
  // in order on one thread, as on one MQTT connection.
  std::vector<std::vector<const senml_stream::message*>> parts(threads);
  for (const auto& m : stream.messages)
    parts[m.device % threads].push_back(&m);
  std::vector<ingest::ingest_counters> counters(threads);
  auto decoding = decoding_of(c, stream);
  auto now = wall_clock_ms();
  auto start = clock_type::now();
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      ingest::payload_decoder decoder{decoding, counters[t]};
      ingest::shard_batcher batcher{handles->routers.size(),
                                    ingest::defaults::max_batch,
                                    ingest::router_sink(handles->routers),
                                    counters[t]};
      twin::reading_batch scratch;
      for (const auto* m : parts[t]) {
        scratch.clear();
        decoder.decode(stream.topics[m->device], m->payload, now, scratch);
        batcher.add(scratch);
      }
      batcher.flush();
    });
  for (auto& w : workers)
    w.join();
  result.decode_seconds = seconds_between(start, clock_type::now());
  uint64_t expected = 0;
  uint64_t edge_rejected = 0;
  for (const auto& x : counters) {
    expected += x.snapshot().readings_accepted;
    edge_rejected += x.snapshot().rejected_total();
  }
  auto deadline = start + std::chrono::duration_cast<clock_type::duration>(
                            std::chrono::duration<double>(time_limit_s));
  twin_watch watch{sys, *handles, start};
  bool finished = false;
  for (;;) {
    watch.poll();
    auto now_t = clock_type::now();
    if (watch.done(expected)) {
      finished = true;
      break;
    }
    if (now_t > deadline || now_t - watch.last_change() > idle_limit)
      break;
    std::this_thread::sleep_for(poll_interval);
  }
  result.twin = watch.result(finished);
  result.twin.readings_rejected += edge_rejected;
  actors::stop_twin(sys, *handles);
  return result;
}

decode_result measure_senml_decode(const twin::city& c,
                                   const senml_stream& stream) {
  ingest::ingest_counters counters;
  ingest::payload_decoder decoder{decoding_of(c, stream), counters};
  twin::reading_batch scratch;
  auto now = wall_clock_ms();
  auto start = clock_type::now();
  auto cpu_start = thread_cpu_seconds();
  for (const auto& m : stream.messages) {
    scratch.clear();
    decoder.decode(stream.topics[m.device], m.payload, now, scratch);
  }
  decode_result result;
  result.readings = counters.snapshot().readings_accepted;
  result.seconds = seconds_between(start, clock_type::now());
  result.cpu_seconds = thread_cpu_seconds() - cpu_start;
  return result;
}

} // namespace citytwin::bench
