// tests/adapters/ngsi/webhook_receiver.hpp
#pragma once

#include "adapters/ngsi/http_listener.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mutex>
#include <string>
#include <vector>

namespace citytwin::test {

// A webhook endpoint: an HTTP listener that keeps every notification.
struct webhook_receiver {
  std::mutex mtx;
  std::vector<nlohmann::json> notifications;
  ngsi::http_listener listener{
      {}, ngsi::answer_at_once([this](const ngsi::http_request& req) {
        std::lock_guard guard{mtx};
        notifications.push_back(nlohmann::json::parse(req.body, nullptr, false));
        return ngsi::http_response{204, {}, {}};
      })};

  webhook_receiver() {
    std::string error;
    REQUIRE(listener.start(error));
  }

  std::string uri() {
    return "http://127.0.0.1:" + std::to_string(listener.port()) + "/notify";
  }

  std::vector<nlohmann::json> received() {
    std::lock_guard guard{mtx};
    return notifications;
  }
};

} // namespace citytwin::test
