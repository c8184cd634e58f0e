// tests/adapters/ngsi/ngsi_fixture.hpp
// loopback port, and a kept-alive client, for the API tests.
#pragma once

#include "adapters/broker/access_config.hpp"
#include "adapters/broker/broker.hpp"
#include "adapters/ngsi/http_client.hpp"
#include "adapters/ngsi/http_listener.hpp"
#include "adapters/ngsi/ngsi_api.hpp"
#include "eventually.hpp"
#include "test_data.hpp"
#include "test_system.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace citytwin::test {

using headers = std::vector<std::pair<std::string, std::string>>;

/// The demo's published credentials (data/access/README.md).
inline std::pair<std::string, std::string> bearer(const std::string& who) {
  return {"Authorization", "Bearer " + who + "-secret"};
}

inline const std::pair<std::string, std::string> json_type{"Content-Type",
                                                           "application/json"};
inline const std::pair<std::string, std::string> ld_json_type{
    "Content-Type", "application/ld+json"};

/// The access file of the demo (two tenants, every role, an API key).
inline twin::access_config demo_access() {
  auto cfg
      = broker::load_access_config(project_data_dir() + "/access/demo.yaml");
  REQUIRE(cfg);
  return std::move(*cfg);
}

struct ngsi_fixture {
  /// The API over `access` on a loopback port. Its TENANT actors run in
  /// `host` when given (a test's own twin lives there), else in a system of
  /// the fixture's own; `seed` fills the tenants' spaces before they start.
  explicit ngsi_fixture(twin::access_config access = demo_access(),
                        caf::actor_system* host = nullptr,
                        std::function<void(broker::broker&)> seed = {})
      : own(host ? nullptr : std::make_unique<test_system>()),
        sys(host ? *host : *own->sys),
        brk(std::move(access),
            broker::notifier_config{2, 100, std::chrono::milliseconds{1000},
                                    std::chrono::milliseconds{200}}),
        api(brk) {
    if (seed)
      seed(brk);
    brk.start_tenants(sys);
    ngsi::listener_config config;
    config.port = 0;
    config.max_body_bytes = 64 << 10;
    listener = std::make_unique<ngsi::http_listener>(
        config,
        [this](ngsi::http_request r, ngsi::reply_fn reply) {
          api.handle(std::move(r), std::move(reply));
        },
        api.websocket());
    std::string error;
    REQUIRE(listener->start(error));
    client = std::make_unique<ngsi::http_client>("127.0.0.1", listener->port());
  }

  ~ngsi_fixture() {
    listener->stop();
    brk.stop_tenants();
  }

  ngsi::client_response call(const std::string& method, const std::string& path,
                             headers h = {}, const std::string& body = {}) {
    auto res = client->request(method, path, h, body);
    REQUIRE(res);
    return std::move(*res);
  }

  nlohmann::json json_of(const ngsi::client_response& res) {
    auto j = nlohmann::json::parse(res.body, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    return j;
  }

  uint16_t port() const {
    return listener->port();
  }

  std::unique_ptr<test_system> own;
  caf::actor_system& sys;
  broker::broker brk;
  ngsi::ngsi_api api;
  std::unique_ptr<ngsi::http_listener> listener;
  std::unique_ptr<ngsi::http_client> client;
};

/// The NGSI-LD API root.
inline const std::string api = "/ngsi-ld/v1";

} // namespace citytwin::test
