// tests/adapters/ngsi/http_listener.cpp: the NGSI-LD API's HTTP server on
// its own, over real loopback sockets.
#include "adapters/ngsi/http_client.hpp"
#include "adapters/ngsi/http_listener.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using namespace citytwin;

TEST_CASE("every I/O thread answers the connections it is given",
          "[ngsi][http_listener]") {
  // Each connection lives on one of the threads' own io_contexts; a
  // context without a connection yet must keep running, or the
  // connections handed to it later would never be answered.
  ngsi::listener_config config;
  config.host = "127.0.0.1";
  config.port = 0;
  config.threads = 3;
  std::mutex mtx;
  std::set<std::thread::id> answered_on;
  ngsi::http_listener listener{
      config, ngsi::answer_at_once([&](const ngsi::http_request&) {
        std::lock_guard guard{mtx};
        answered_on.insert(std::this_thread::get_id());
        return ngsi::http_response{200, {}, "ok"};
      })};
  std::string error;
  REQUIRE(listener.start(error));
  std::vector<std::unique_ptr<ngsi::http_client>> clients;
  for (int i = 0; i < 6; ++i)
    clients.push_back(std::make_unique<ngsi::http_client>(
      "127.0.0.1", listener.port(), std::chrono::seconds{5}));
  for (int round = 0; round < 2; ++round)
    for (auto& client : clients) {
      auto res = client->request("GET", "/");
      REQUIRE(res);
      CHECK(res->status == 200);
      CHECK(res->body == "ok");
    }
  CHECK(answered_on.size() == 3);
  listener.stop();
}

TEST_CASE("an answer may come later from another thread, and a dropped one "
          "is a 503",
          "[ngsi][http_listener]") {
  // The NGSI-LD routes answer from a TENANT actor's thread: the listener
  // must carry that answer back to the connection, and a request whose
  // reply hook is dropped (an actor stopped at shutdown) must not hang.
  ngsi::listener_config config;
  config.host = "127.0.0.1";
  config.port = 0;
  std::mutex mtx;
  std::vector<std::thread> answerers;
  ngsi::http_listener listener{
      config, [&](ngsi::http_request req, ngsi::reply_fn reply) {
        if (req.path == "/drop")
          return; // the hook goes out of scope unanswered
        std::lock_guard guard{mtx};
        answerers.emplace_back([reply = std::move(reply), path = req.path] {
          reply(ngsi::http_response{200, {}, "late " + path});
        });
      }};
  std::string error;
  REQUIRE(listener.start(error));
  ngsi::http_client client{"127.0.0.1", listener.port(),
                           std::chrono::seconds{5}};
  auto res = client.request("GET", "/a");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "late /a");
  // Kept alive: the same connection serves the next request.
  res = client.request("GET", "/drop");
  REQUIRE(res);
  CHECK(res->status == 503);
  res = client.request("GET", "/b");
  REQUIRE(res);
  CHECK(res->body == "late /b");
  listener.stop();
  for (auto& t : answerers)
    t.join();
}
