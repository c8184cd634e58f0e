// adapters/mqtt/publisher.cpp
#include "adapters/mqtt/publisher.hpp"

#include "adapters/mqtt/library.hpp"
#include "twin/error.hpp"

#include <mosquitto.h>

namespace citytwin::mqtt {

caf::expected<std::unique_ptr<publisher>>
publisher::connect(const broker_url& broker, std::chrono::milliseconds timeout,
                   std::string client_id) {
  ensure_library();
  auto result = std::make_unique<publisher>(private_tag{});
  auto& self = *result;
  self.mosq_ = mosquitto_new(client_id.empty() ? nullptr : client_id.c_str(),
                             true, &self);
  if (self.mosq_ == nullptr)
    return caf::make_error(twin::errc::io_failure,
                           "cannot create an MQTT client");
  mosquitto_connect_callback_set(self.mosq_, on_connect);
  mosquitto_publish_callback_set(self.mosq_, on_publish);
  // No cap on QoS 1 messages in flight: replay bursts must not stall.
  mosquitto_max_inflight_messages_set(self.mosq_, 0);
  auto where = broker.host + ":" + std::to_string(broker.port);
  auto rc = mosquitto_connect(self.mosq_, broker.host.c_str(), broker.port,
                              60);
  if (rc != MOSQ_ERR_SUCCESS)
    return caf::make_error(twin::errc::io_failure,
                           "cannot connect to MQTT broker " + where + ": "
                             + mosquitto_strerror(rc));
  if (mosquitto_loop_start(self.mosq_) != MOSQ_ERR_SUCCESS)
    return caf::make_error(twin::errc::io_failure,
                           "cannot start the MQTT network thread");
  std::unique_lock<std::mutex> lock{self.mtx_};
  if (!self.cv_.wait_for(lock, timeout, [&] { return self.connack_ >= 0; }))
    return caf::make_error(twin::errc::io_failure,
                           "no CONNACK from MQTT broker " + where);
  if (self.connack_ != 0)
    return caf::make_error(twin::errc::io_failure,
                           "MQTT broker " + where + " refused: "
                             + mosquitto_connack_string(self.connack_));
  return result;
}

publisher::publisher(private_tag) {
  // nop
}

publisher::~publisher() {
  if (mosq_ == nullptr)
    return;
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, false);
  mosquitto_destroy(mosq_);
}

caf::error publisher::publish(std::string_view topic, std::string_view payload,
                              int qos, bool retain) {
  std::string topic_z{topic};
  {
    std::lock_guard<std::mutex> guard{mtx_};
    ++queued_;
  }
  auto rc = mosquitto_publish(mosq_, nullptr, topic_z.c_str(),
                              static_cast<int>(payload.size()),
                              payload.data(), qos, retain);
  if (rc == MOSQ_ERR_SUCCESS)
    return {};
  {
    std::lock_guard<std::mutex> guard{mtx_};
    --queued_;
  }
  return caf::make_error(twin::errc::io_failure,
                         "MQTT publish to '" + topic_z
                           + "': " + mosquitto_strerror(rc));
}

bool publisher::drain(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout,
                      [&] { return delivered_.load() >= queued_; });
}

void publisher::on_connect(mosquitto*, void* ptr, int rc) {
  auto& self = *static_cast<publisher*>(ptr);
  {
    std::lock_guard<std::mutex> guard{self.mtx_};
    self.connack_ = rc;
  }
  self.cv_.notify_all();
}

void publisher::on_publish(mosquitto*, void* ptr, int) {
  auto& self = *static_cast<publisher*>(ptr);
  {
    std::lock_guard<std::mutex> guard{self.mtx_};
    ++self.delivered_;
  }
  self.cv_.notify_all();
}

} // namespace citytwin::mqtt
