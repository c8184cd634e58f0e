// bench/broker_bench.cpp
#include "bench/broker_bench.hpp"

#include "actors/runtime.hpp"
#include "actors/shard.hpp"
#include "actors/spawn_twin.hpp"
#include "actors/type_ids.hpp"
#include "adapters/broker/access_config.hpp"
#include "adapters/broker/broker.hpp"
#include "adapters/broker/secret_hash.hpp"
#include "adapters/broker/tenant_actor.hpp"
#include "adapters/broker/twin_mirror.hpp"
#include "adapters/mqtt/library.hpp"
#include "adapters/mqtt/mosquitto_process.hpp"
#include "adapters/ngsi/http_client.hpp"
#include "adapters/ngsi/http_listener.hpp"
#include "adapters/ngsi/ngsi_api.hpp"
#include "twin/city_generator.hpp"
#include "viz/http_server.hpp"
#include "viz/ws_client.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <mosquitto.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace citytwin::bench {

namespace {

using json = nlohmann::json;
using steady = std::chrono::steady_clock;

constexpr size_t num_entities = 1000;
const std::string admin_secret = "bench-admin-secret";

twin::access_config bench_access() {
  auto hash = broker::to_hex(broker::sha256(admin_secret));
  auto cfg = broker::parse_access_config(
      "version: 1\n"
      "open_data: { requests_per_minute: 100000000 }\n"
      "limits: { anonymous_requests_per_minute: 100000000, "
      "api_connections: 100000 }\n"
      "tenants:\n"
      "  - name: bench\n"
      "    notify_allow: [127.0.0.1/32]\n"
      "    sharing:\n"
      "      - { type: StreetLight, level: open }\n"
      "      - { type: \"*\", level: private }\n"
      "tokens:\n"
      "  - { name: bench-admin, tenant: bench, role: admin, sha256: "
          + hash + " }\n",
      "bench");
  return std::move(*cfg);
}

std::string lamp_id(size_t i) {
  return "urn:ngsi-ld:StreetLight:bench:" + std::to_string(i);
}

// Runs `clients` threads that each send `make(i)` requests in a loop on
// one connection for `seconds`.
template <class MakeRequest>
http_load drive(const std::string& what, uint16_t port, size_t clients,
                double seconds, int expected, size_t depth, MakeRequest make) {
  http_load result;
  result.what = what;
  std::atomic<size_t> ok{0};
  std::atomic<size_t> bad{0};
  std::atomic<size_t> connects{0};
  auto start = steady::now();
  auto stop_at = start
                 + std::chrono::duration_cast<steady::duration>(
                     std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (size_t c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      ngsi::http_client client{"127.0.0.1", port};
      size_t i = c * 7919;
      while (steady::now() < stop_at) {
        if (depth > 1) {
          // HTTP/1.1 pipelining: `depth` requests per write.
          std::vector<ngsi::http_client::pending> batch;
          for (size_t k = 0; k < depth; ++k) {
            auto [method, target, headers, body] = make(i++);
            batch.push_back({method, target, headers, body});
          }
          auto res = client.pipeline(batch);
          if (!res) {
            bad += depth;
            continue;
          }
          for (const auto& r : *res)
            (r.status == expected ? ok : bad) += 1;
          continue;
        }
        // Check the clock only every 64 requests.
        for (int k = 0; k < 64; ++k) {
          auto [method, target, headers, body] = make(i++);
          auto res = client.request(method, target, headers, body);
          if (res && res->status == expected)
            ++ok;
          else
            ++bad;
        }
      }
      connects += client.connects();
    });
  for (auto& t : threads)
    t.join();
  result.seconds = std::chrono::duration<double>(steady::now() - start).count();
  result.requests = ok;
  result.errors = bad;
  result.connects = connects;
  return result;
}

using request_parts
    = std::tuple<std::string, std::string,
                 std::vector<std::pair<std::string, std::string>>, std::string>;

} // namespace

api_throughput_result measure_api_throughput(size_t server_threads,
                                             size_t clients, double seconds) {
  api_throughput_result result;
  result.server_threads = server_threads;
  result.client_threads = clients;
  // Declared before the broker, so that it outlives the broker's TENANTs:
  // an actor system's destructor waits for every actor to end.
  caf::actor_system_config cfg;
  actors::configure(cfg, {});
  caf::actor_system sys{cfg};
  broker::broker brk{bench_access()};
  auto& store = brk.seeding("bench")->store();
  for (size_t i = 0; i < num_entities; ++i) {
    auto entity = broker::normalize_entity(
        {{"id", lamp_id(i)},
         {"type", "StreetLight"},
         {"dimLevel", {{"type", "Property"}, {"value", 0.5}}},
         {"location",
          {{"type", "GeoProperty"},
           {"value", {{"type", "Point"}, {"coordinates", {10.2, 56.1}}}}}}});
    store.create(std::move(*entity));
  }
  brk.start_tenants(sys);
  ngsi::ngsi_api api{brk};
  ngsi::listener_config config;
  config.threads = server_threads;
  ngsi::http_listener listener{
      config, [&api](ngsi::http_request r, ngsi::reply_fn reply) {
        api.handle(std::move(r), std::move(reply));
      }};
  std::string error;
  if (!listener.start(error)) {
    result.skipped = error;
    return result;
  }
  auto port = listener.port();
  const std::pair<std::string, std::string> auth{"Authorization",
                                                 "Bearer " + admin_secret};
  result.loads.push_back(drive(
      "entity retrieve, anonymous (open data), Boost.Beast keep-alive", port,
      clients, seconds, 200, 1, [](size_t i) {
        return request_parts{
            "GET", "/ngsi-ld/v1/entities/" + lamp_id(i % num_entities), {}, {}};
      }));
  auto retrieve = [&auth](size_t i) {
    return request_parts{
        "GET", "/ngsi-ld/v1/entities/" + lamp_id(i % num_entities), {auth}, {}};
  };
  auto update = [&auth](size_t i) {
    return request_parts{
        "PATCH",
        "/ngsi-ld/v1/entities/" + lamp_id(i % num_entities) + "/attrs/dimLevel",
        {auth, {"Content-Type", "application/json"}},
        "{\"value\":" + std::to_string((i % 100) / 100.0) + "}"};
  };
  result.loads.push_back(
      drive("entity retrieve, bearer token, Boost.Beast keep-alive", port,
            clients, seconds, 200, 1, retrieve));
  result.loads.push_back(drive(
      "partial attribute update (PATCH .../attrs/dimLevel), bearer token, "
      "Boost.Beast keep-alive",
      port, clients, seconds, 204, 1, update));
  result.loads.push_back(
      drive("entity retrieve, bearer token, Boost.Beast keep-alive, "
            "pipelined 16 deep",
            port, clients, seconds, 200, 16, retrieve));
  result.loads.push_back(
      drive("partial attribute update, bearer token, Boost.Beast keep-alive, "
            "pipelined 16 deep",
            port, clients, seconds, 204, 16, update));
  listener.stop();
  // The same retrieve through WebSocket++'s HTTP handler, which ends every
  // connection after one response.
  viz::http_server wspp{[&api](const viz::http_request& r) {
    ngsi::http_request req;
    req.method = r.method;
    req.path = r.path;
    req.query = r.query;
    req.body = r.body;
    auto res = api.handle_blocking(req);
    viz::http_response out;
    out.status = res.status;
    out.body = std::move(res.body);
    return out;
  }};
  if (wspp.start("127.0.0.1", 0, error))
    result.loads.push_back(drive(
        "entity retrieve, anonymous, WebSocket++ HTTP handler (one request "
        "per connection)",
        wspp.port(), clients, seconds, 200, 1, [](size_t i) {
          return request_parts{"GET",
                               "/ngsi-ld/v1/entities/"
                                   + lamp_id(i % num_entities),
                               {},
                               {}};
        }));
  wspp.stop();
  return result;
}

namespace {

// Latency samples keyed by reading sequence number (the meter's energy
// value is the sequence number plus one).
struct latency_book {
  std::vector<std::atomic<int64_t>> sent_ns;
  std::mutex mtx;
  std::vector<double> samples_ms;

  explicit latency_book(size_t n) : sent_ns(n) {
  }

  void received(const std::string& body, std::atomic<size_t>& updates) {
    auto now = steady::now().time_since_epoch().count();
    auto j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.contains("data"))
      return;
    std::lock_guard guard{mtx};
    for (const auto& e : j["data"]) {
      if (!e.contains("totalActiveEnergyImport"))
        continue;
      auto seq = static_cast<size_t>(
                     e["totalActiveEnergyImport"]["value"].get<double>())
                 - 1;
      ++updates;
      if (seq < sent_ns.size() && sent_ns[seq] > 0)
        samples_ms.push_back((now - sent_ns[seq]) / 1e6);
    }
  }
};

// A libmosquitto subscriber feeding the latency book.
struct mqtt_receiver {
  mosquitto* m = nullptr;
  std::string topic;
  latency_book* book = nullptr;
  std::atomic<size_t>* updates = nullptr;
  std::atomic<bool> ready{false};

  mqtt_receiver(uint16_t port, std::string t, latency_book* b,
                std::atomic<size_t>* count)
      : topic(std::move(t)), book(b), updates(count) {
    mqtt::ensure_library();
    m = mosquitto_new(nullptr, true, this);
    mosquitto_connect_callback_set(m, [](mosquitto* m, void* self, int rc) {
      if (rc == 0)
        mosquitto_subscribe(
            m, nullptr, static_cast<mqtt_receiver*>(self)->topic.c_str(), 0);
    });
    mosquitto_subscribe_callback_set(
        m, [](mosquitto*, void* self, int, int, const int*) {
          static_cast<mqtt_receiver*>(self)->ready = true;
        });
    mosquitto_message_callback_set(
        m, [](mosquitto*, void* self, const mosquitto_message* msg) {
          auto* r = static_cast<mqtt_receiver*>(self);
          r->book->received(std::string(static_cast<const char*>(msg->payload),
                                        msg->payloadlen),
                            *r->updates);
        });
    mosquitto_connect(m, "127.0.0.1", port, 30);
    mosquitto_loop_start(m);
  }

  ~mqtt_receiver() {
    mosquitto_disconnect(m);
    mosquitto_loop_stop(m, true);
    mosquitto_destroy(m);
  }
};

double percentile(std::vector<double>& xs, double p) {
  if (xs.empty())
    return 0;
  auto k = static_cast<size_t>(p * (xs.size() - 1));
  std::nth_element(xs.begin(), xs.begin() + k, xs.end());
  return xs[k];
}

} // namespace

fanout_result measure_fanout(double rate, double seconds, size_t subscribers) {
  fanout_result result;
  result.rate = rate;
  twin::generator_options gen;
  gen.name = "bench";
  gen.segments = 24;
  gen.sensors = 40;
  gen.seed = 3;
  auto c = twin::generate_city(gen);
  const twin::placement* meter = nullptr;
  for (const auto& p : c->things)
    if (p.id.kind == twin::entity_kind::energy_meter && !meter)
      meter = &p;
  if (!meter) {
    result.skipped = "the generated city has no energy meter";
    return result;
  }
  mqtt::mosquitto_process mosquitto;
  if (!mosquitto.running()) {
    result.skipped = "mosquitto did not start";
    return result;
  }
  caf::actor_system_config cfg;
  actors::configure(cfg, {});
  caf::actor_system sys{cfg};
  auto handles = actors::spawn_twin(sys, *c, {2, 0});
  if (!handles) {
    result.skipped = "the twin did not start";
    return result;
  }
  auto total = static_cast<size_t>(rate * seconds);
  latency_book book{total};
  broker::broker brk{bench_access(), broker::notifier_config{4, 100}};
  broker::seed_live_entities(*brk.seeding("bench"), *c);
  brk.start_tenants(sys);
  if (broker::attach_twin(sys, *handles, brk.tenant("bench"), "bench")) {
    result.skipped = "the broker could not subscribe to the twin";
    actors::stop_twin(sys, *handles);
    return result;
  }
  ngsi::ngsi_api api{brk};
  ngsi::listener_config lc;
  ngsi::http_listener listener{
      lc,
      [&api](ngsi::http_request r, ngsi::reply_fn reply) {
        api.handle(std::move(r), std::move(reply));
      },
      api.websocket()};
  std::string error;
  listener.start(error);
  ngsi::http_client client{"127.0.0.1", listener.port()};
  const std::pair<std::string, std::string> auth{"Authorization",
                                                 "Bearer " + admin_secret};
  auto meter_urn = twin::to_urn(meter->id, c->name);
  // Receivers: webhooks, MQTT and WebSocket in turn.
  std::vector<std::unique_ptr<ngsi::http_listener>> hooks;
  std::vector<std::unique_ptr<std::atomic<size_t>>> counts;
  std::vector<std::unique_ptr<mqtt_receiver>> mqtts;
  std::vector<std::thread> sockets;
  std::atomic<bool> done{false};
  std::vector<std::string> ids;
  for (size_t i = 0; i < subscribers; ++i) {
    counts.push_back(std::make_unique<std::atomic<size_t>>(0));
    auto* count = counts.back().get();
    std::string uri;
    std::string transport;
    if (i % 3 == 0) {
      transport = "webhook";
      hooks.push_back(std::make_unique<ngsi::http_listener>(
          ngsi::listener_config{},
          ngsi::answer_at_once([&book, count](const ngsi::http_request& r) {
            book.received(r.body, *count);
            return ngsi::http_response{204, {}, {}};
          })));
      hooks.back()->start(error);
      uri = "http://127.0.0.1:" + std::to_string(hooks.back()->port())
            + "/notify";
    } else if (i % 3 == 1) {
      transport = "mqtt";
      auto topic = "bench/fanout/" + std::to_string(i);
      mqtts.push_back(std::make_unique<mqtt_receiver>(mosquitto.port(), topic,
                                                      &book, count));
      uri = "mqtt://127.0.0.1:" + std::to_string(mosquitto.port()) + "/"
            + topic;
    } else {
      transport = "websocket";
      uri = "urn:citytwin:websocket";
    }
    json body = {{"type", "Subscription"},
                 {"entities", {{{"id", meter_urn}}}},
                 {"watchedAttributes", {"totalActiveEnergyImport"}},
                 {"notification",
                  {{"attributes", {"totalActiveEnergyImport"}},
                   {"endpoint", {{"uri", uri}}}}}};
    auto res = client.request("POST", "/ngsi-ld/v1/subscriptions",
                              {auth, {"Content-Type", "application/json"}},
                              body.dump());
    if (!res || res->status != 201) {
      result.skipped = "a subscription was refused";
      break;
    }
    auto location = res->header("location");
    ids.push_back(location.substr(location.rfind('/') + 1));
    result.subscribers.push_back({transport, 0, 0, 0, 0, 0});
    if (transport == "websocket") {
      auto url = "ws://127.0.0.1:" + std::to_string(listener.port())
                 + "/ngsi-ld/v1/subscriptions/" + ids.back()
                 + "/stream?token=" + admin_secret;
      sockets.emplace_back([url, &book, count, &done, seconds] {
        viz::run_ws_client(
            url,
            [&](const std::string& payload, bool) {
              book.received(payload, *count);
              return !done.load();
            },
            std::chrono::milliseconds{
                static_cast<long>((seconds + 30) * 1000)});
      });
    }
  }
  // The MQTT receivers must listen before the first notification.
  for (int waited = 0; waited < 500; ++waited) {
    if (std::all_of(mqtts.begin(), mqtts.end(),
                    [](const auto& m) { return m->ready.load(); }))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  std::this_thread::sleep_for(std::chrono::milliseconds{200});
  // Paced sending in 1 ms ticks; every reading its own message, so every
  // reading is an entity change the subscribers are owed.
  auto& router
      = handles->routers[actors::shard_of(meter->id, handles->routers.size())];
  auto base_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
  auto per_tick = std::max<size_t>(1, static_cast<size_t>(rate / 1000));
  auto start = steady::now();
  size_t seq = 0;
  for (size_t tick = 0; seq < total && result.skipped.empty(); ++tick) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds{tick});
    for (size_t k = 0; k < per_tick && seq < total; ++k, ++seq) {
      book.sent_ns[seq] = steady::now().time_since_epoch().count();
      caf::anon_send(
          router, actors::observe_atom_v,
          twin::reading_batch{{meter->id, base_ms + static_cast<int64_t>(seq),
                               static_cast<double>(seq + 1),
                               twin::quantity::energy}});
    }
  }
  result.sent = seq;
  // Wait until every queue has drained (bounded).
  auto settled = [&] {
    for (size_t i = 0; i < ids.size(); ++i) {
      auto res = client.request("GET", "/ngsi-ld/v1/subscriptions/" + ids[i],
                                {auth});
      if (!res || res->status != 200)
        return false;
      auto q = json::parse(res->body)["queueStatus"];
      auto& s = result.subscribers[i];
      s.offered = q["offered"];
      s.delivered = q["delivered"];
      s.coalesced = q["coalesced"];
      s.dropped = q["dropped"];
      if (q["pending"] != 0 || s.offered < result.sent)
        return false;
    }
    return true;
  };
  for (int i = 0; i < 200 && !settled(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  std::this_thread::sleep_for(std::chrono::milliseconds{300});
  settled();
  result.accounted = !ids.empty();
  for (size_t i = 0; i < result.subscribers.size(); ++i) {
    auto& s = result.subscribers[i];
    s.received = *counts[i];
    result.accounted = result.accounted
                       && s.offered == s.delivered + s.coalesced + s.dropped
                       && s.offered == result.sent;
    result.changes = std::max<size_t>(result.changes, s.offered);
  }
  {
    std::lock_guard guard{book.mtx};
    result.samples = book.samples_ms.size();
    result.p50_ms = percentile(book.samples_ms, 0.5);
    result.p99_ms = percentile(book.samples_ms, 0.99);
    result.max_ms = book.samples_ms.empty()
                        ? 0
                        : *std::max_element(book.samples_ms.begin(),
                                            book.samples_ms.end());
  }
  done = true;
  listener.stop();
  for (auto& t : sockets)
    t.join();
  for (auto& h : hooks)
    h->stop();
  brk.stop_tenants({handles->front});
  actors::stop_twin(sys, *handles);
  return result;
}

} // namespace citytwin::bench
