// tests/viz/twin_api.cpp: the read-only API never waits on the server's
// thread (issue 11, deliverable 4), over real sockets on 127.0.0.1. The
// viewer stream runs on a real twin; the API asks a stand-in TWIN that
// holds its stats answers until the test releases them, so "slow" is a
// state the test controls, not a sleep.
#include "served_twin.hpp"
#include "viewer_probe.hpp"

#include "twin/error.hpp"
#include "viz/twin_api.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <future>
#include <mutex>
#include <vector>

using namespace citytwin;
using namespace std::chrono_literals;

namespace {

// How long the test waits for something that must happen.
constexpr auto patience = std::chrono::milliseconds(5000);

// Counts the stats requests the stand-in holds; the test waits on it.
struct arrivals {
  std::mutex mutex;
  std::condition_variable changed;
  size_t num_held = 0;

  void held() {
    std::lock_guard<std::mutex> guard{mutex};
    ++num_held;
    changed.notify_all();
  }

  bool wait_for(size_t n) {
    std::unique_lock<std::mutex> guard{mutex};
    return changed.wait_for(guard, patience, [&] { return num_held >= n; });
  }
};

struct slow_twin_state {
  std::vector<caf::response_promise> waiting;
  static inline const char* name = "slow-twin";
};

actors::twin_stats released_stats() {
  actors::twin_stats result;
  result.city = "test";
  result.readings = 42; // the test recognises its answer by this number
  return result;
}

// TWIN stand-in: holds every stats request until `ok_atom` releases them
// all; answers `get` at once (unknown entity); fails what it still holds
// when told to exit, so no requester waits for its timeout.
caf::behavior slow_twin(caf::stateful_actor<slow_twin_state>* self,
                        std::shared_ptr<arrivals> seen) {
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& promise : self->state.waiting)
      promise.deliver(caf::make_error(caf::sec::request_receiver_down));
    self->state.waiting.clear();
    self->quit(msg.reason);
  });
  return {
    [self, seen](actors::stats_atom) {
      self->state.waiting.push_back(self->make_response_promise());
      seen->held();
    },
    [self](caf::ok_atom) {
      for (auto& promise : self->state.waiting)
        promise.deliver(released_stats());
      self->state.waiting.clear();
    },
    [](caf::get_atom, const twin::entity_id&) -> caf::error {
      return caf::make_error(twin::errc::unknown_entity);
    },
  };
}

// A served twin whose HTTP API asks the stand-in.
struct slow_api {
  test::served_twin served;
  std::shared_ptr<arrivals> seen = std::make_shared<arrivals>();
  caf::actor twin;
  uint16_t port = served.server.port();

  explicit slow_api(viz::live_stream_config config = {},
                    std::chrono::milliseconds timeout
                    = viz::viewer_limits::twin_timeout)
    : served(std::move(config)) {
    twin = served.sys->spawn(slow_twin, seen);
    actors::twin_handles handles;
    handles.front = caf::actor_cast<actors::twin_actor>(twin);
    auto api = served.stream->wrap(viz::make_twin_api(
      *served.sys, handles, served.city.name,
      [](const actors::twin_stats& stats) {
        return "citytwin_readings_total " + std::to_string(stats.readings)
               + "\n";
      },
      timeout));
    std::promise<void> done;
    served.server.post([&] {
      served.server.set_handler(api);
      done.set_value();
    });
    REQUIRE(done.get_future().wait_for(patience) == std::future_status::ready);
  }

  ~slow_api() {
    caf::anon_send_exit(twin, caf::exit_reason::user_shutdown);
  }

  void release() const {
    caf::anon_send(twin, caf::ok_atom_v);
  }

  // Sends `GET path` and returns the socket, whose answer is read later.
  std::unique_ptr<test::raw_socket> ask(const std::string& path) const {
    auto result = std::make_unique<test::raw_socket>(port);
    REQUIRE(result->send_all("GET " + path
                             + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               "Connection: close\r\n\r\n"));
    return result;
  }
};

// Reads a viewer's frames until `text` arrives after `from`.
bool receive_until(test::raw_socket& s, const std::string& text,
                   size_t from = 0) {
  while (s.buffer.find(text, from) == std::string::npos)
    if (!s.receive_more())
      return false;
  return true;
}

uint64_t pending(const test::served_twin& served) {
  return served.server.stats().pending_requests;
}

} // namespace

TEST_CASE("a slow twin holds neither the viewers nor other requests",
          "[viz][network]") {
  slow_api api;
  test::raw_socket viewer{api.port};
  REQUIRE(test::ws_handshake(viewer, "format=json&kinds=street_lamp"));
  REQUIRE(receive_until(viewer, "snapshot_end"));
  auto snapshot_end = viewer.buffer.size();
  // /api/status waits for the stand-in, which holds the answer.
  auto status = api.ask("/api/status");
  REQUIRE(api.seen->wait_for(1));
  CHECK(pending(api.served) == 1);
  // Meanwhile the server's thread streams a new reading to the viewer...
  auto lamp = api.served.city.things.front().id;
  api.served.observe(lamp, twin::quantity::dim_level, 0.75, 1000);
  CHECK(receive_until(viewer, "\"snapshot\":false", snapshot_end));
  CHECK(viewer.buffer.find("\"dim_level\":0.75", snapshot_end)
        != std::string::npos);
  // ...answers routes that need no actor...
  CHECK(test::http_fetch(api.port, "/api/stream").status == 200);
  // ...and another request to the twin, which answers that one at once.
  auto entity = test::http_fetch(api.port,
                                 "/api/entities/" + twin::to_urn(lamp, "test"));
  CHECK(entity.status == 404);
  CHECK_THAT(entity.body, Catch::Contains("unknown_entity"));
  // The held request is still waiting, and gets its answer when released.
  CHECK(pending(api.served) == 1);
  api.release();
  auto answer = test::read_response(*status);
  REQUIRE(answer.status == 200);
  auto body = nlohmann::json::parse(answer.body);
  CHECK(body["city"] == "test");
  CHECK(body["readings"] == 42);
  CHECK(test::wait_until([&] { return pending(api.served) == 0; }));
}

TEST_CASE("/metrics waits for the twin without holding the server",
          "[viz][network]") {
  slow_api api;
  auto metrics = api.ask("/metrics");
  REQUIRE(api.seen->wait_for(1));
  CHECK(test::http_fetch(api.port, "/api/stream").status == 200);
  api.release();
  auto answer = test::read_response(*metrics);
  REQUIRE(answer.status == 200);
  // The renderer's line, then the viewer's counters, added on the
  // server's thread when the twin answered: the request waited then.
  CHECK_THAT(answer.body, Catch::Contains("citytwin_readings_total 42\n"));
  CHECK_THAT(answer.body,
             Catch::Contains("citytwin_viewer_pending_requests 1\n"));
  CHECK_THAT(answer.body,
             Catch::Contains(
               "citytwin_viewer_refusals_total{reason=\"requests\"} 0\n"));
}

TEST_CASE("requests beyond the waiting cap are refused with 503 and counted",
          "[security][viz]") {
  viz::live_stream_config config;
  config.max_pending_requests = 2;
  slow_api api{config};
  auto first = api.ask("/api/status");
  auto second = api.ask("/metrics");
  REQUIRE(api.seen->wait_for(2));
  // The third asks the twin too: refused at once, before anything is sent
  // to the twin; requests that need no actor still pass.
  auto refused = test::http_fetch(api.port, "/api/status");
  CHECK(refused.status == 503);
  auto problem = nlohmann::json::parse(refused.body);
  CHECK(problem["title"] == "ServiceUnavailable");
  CHECK_THAT(problem["detail"].get<std::string>(),
             Catch::Contains("2 requests wait for an answer already"));
  CHECK(test::http_fetch(api.port, "/api/stream").status == 200);
  CHECK(api.served.server.stats().refused_requests == 1);
  CHECK(api.seen->num_held == 2);
  api.release();
  CHECK(test::read_response(*first).status == 200);
  CHECK(test::read_response(*second).status == 200);
  REQUIRE(test::wait_until([&] { return pending(api.served) == 0; }));
  // Room again, and the refusal shows in the metrics.
  auto metrics = api.ask("/metrics");
  REQUIRE(api.seen->wait_for(3));
  api.release();
  CHECK_THAT(test::read_response(*metrics).body,
             Catch::Contains(
               "citytwin_viewer_refusals_total{reason=\"requests\"} 1\n"));
}

TEST_CASE("a twin that does not answer in time gets the client a 503",
          "[viz][network]") {
  // 100 ms instead of 5 s: the stand-in never answers unless released.
  slow_api api{{}, 100ms};
  auto status = api.ask("/api/status");
  auto answer = test::read_response(*status);
  CHECK(answer.status == 503);
  auto problem = nlohmann::json::parse(answer.body);
  CHECK(problem["title"] == "ServiceUnavailable");
  CHECK(problem["detail"] == "the twin did not answer within 100 ms");
  CHECK(api.seen->num_held == 1);
  CHECK(test::wait_until([&] { return pending(api.served) == 0; }));
  // A late answer from the twin finds nobody waiting and is dropped.
  api.release();
  CHECK(test::http_fetch(api.port, "/api/stream").status == 200);
}

TEST_CASE("a client that leaves before the twin answers costs nothing",
          "[viz][network]") {
  slow_api api;
  auto status = api.ask("/api/status");
  REQUIRE(api.seen->wait_for(1));
  status.reset(); // the client hangs up
  api.release();
  // The answer goes to a closed socket; the request stops waiting and the
  // server serves on.
  CHECK(test::wait_until([&] { return pending(api.served) == 0; }));
  CHECK(test::http_fetch(api.port, "/api/stream").status == 200);
}

TEST_CASE("stopping the server answers waiting requests",
          "[viz][network]") {
  slow_api api;
  auto status = api.ask("/api/status");
  REQUIRE(api.seen->wait_for(1));
  // The stand-in answers only after the server has gone: the answer is
  // dropped (no server to post it to) and nothing crashes.
  api.served.server.stop();
  auto answer = test::read_response(*status);
  CHECK(answer.status == 503);
  CHECK_THAT(answer.body, Catch::Contains("server stopping"));
  api.release();
}
