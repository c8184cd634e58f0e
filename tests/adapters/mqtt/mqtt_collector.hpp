// tests/adapters/mqtt/mqtt_collector.hpp
// every message of one topic, ready once the broker confirmed the
// subscription (so no message of a test is published before it listens).
#pragma once

#include "adapters/mqtt/library.hpp"

#include <mosquitto.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace citytwin::test {

class mqtt_collector {
public:
  mqtt_collector(uint16_t port, std::string topic) : topic_(std::move(topic)) {
    mqtt::ensure_library();
    m_ = mosquitto_new(nullptr, true, this);
    mosquitto_connect_callback_set(m_, [](mosquitto* m, void* self, int rc) {
      if (rc == 0)
        mosquitto_subscribe(
            m, nullptr, static_cast<mqtt_collector*>(self)->topic_.c_str(), 1);
    });
    mosquitto_subscribe_callback_set(
        m_, [](mosquitto*, void* self, int, int, const int*) {
          auto* c = static_cast<mqtt_collector*>(self);
          std::lock_guard guard{c->mtx_};
          c->ready_ = true;
        });
    mosquitto_message_callback_set(
        m_, [](mosquitto*, void* self, const mosquitto_message* msg) {
          auto* c = static_cast<mqtt_collector*>(self);
          std::lock_guard guard{c->mtx_};
          c->got_.emplace_back(static_cast<const char*>(msg->payload),
                               static_cast<size_t>(msg->payloadlen));
        });
    mosquitto_connect(m_, "127.0.0.1", port, 30);
    mosquitto_loop_start(m_);
  }

  ~mqtt_collector() {
    mosquitto_disconnect(m_);
    mosquitto_loop_stop(m_, true);
    mosquitto_destroy(m_);
  }

  /// Waits (at most 5 s) until the subscription is confirmed.
  bool wait_ready() {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard guard{mtx_};
        if (ready_)
          return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    return false;
  }

  std::vector<std::string> messages() {
    std::lock_guard guard{mtx_};
    return got_;
  }

private:
  std::string topic_;
  mosquitto* m_ = nullptr;
  std::mutex mtx_;
  bool ready_ = false;
  std::vector<std::string> got_;
};

} // namespace citytwin::test
