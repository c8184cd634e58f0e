// adapters/mqtt/publisher.hpp
#pragma once

#include "adapters/mqtt/broker_url.hpp"

#include <caf/expected.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

struct mosquitto;

namespace citytwin::mqtt {

/// A plain MQTT publisher (replay, benchmarks, tests) on libmosquitto's
/// network thread. Publishing queues the message and returns; `drain`
/// waits until the queue is on the wire (QoS 0) or acknowledged (QoS 1).
class publisher {
  struct private_tag {
    explicit private_tag() = default;
  };

public:
  /// Connects and waits up to `timeout` for the broker's CONNACK.
  static caf::expected<std::unique_ptr<publisher>>
  connect(const broker_url& broker, std::chrono::milliseconds timeout,
          std::string client_id = {});

  /// Use `connect`.
  explicit publisher(private_tag);

  ~publisher();

  publisher(const publisher&) = delete;
  publisher& operator=(const publisher&) = delete;

  /// Queues one message; errc::io_failure if libmosquitto refuses it
  /// (e.g. a topic that is not valid UTF-8).
  caf::error publish(std::string_view topic, std::string_view payload,
                     int qos, bool retain = false);

  /// Waits until every queued message has been sent or acknowledged;
  /// false on timeout.
  bool drain(std::chrono::milliseconds timeout);

  /// Messages handed to the broker (QoS 0) or acknowledged (QoS 1).
  uint64_t num_delivered() const {
    return delivered_.load();
  }

private:
  static void on_connect(mosquitto*, void* self, int rc);
  static void on_publish(mosquitto*, void* self, int mid);

  mosquitto* mosq_ = nullptr;
  std::mutex mtx_;
  std::condition_variable cv_;
  int connack_ = -1; // guarded by mtx_
  uint64_t queued_ = 0; // guarded by mtx_
  std::atomic<uint64_t> delivered_{0};
};

} // namespace citytwin::mqtt
