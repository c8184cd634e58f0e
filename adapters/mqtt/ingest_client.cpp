// adapters/mqtt/ingest_client.cpp
#include "adapters/mqtt/ingest_client.hpp"

#include "adapters/ingest/topic.hpp"
#include "adapters/mqtt/library.hpp"
#include "twin/error.hpp"
#include "twin/wall_clock.hpp"

#include <mosquitto.h>

#include <sys/socket.h>

#include <algorithm>
#include <vector>

namespace citytwin::mqtt {

namespace {

twin::time_ms wall_clock_ms() {
  return twin::now_ms();
}

} // namespace

caf::error ingest_client_config::validate() const {
  auto fail = [](std::string what) {
    return caf::make_error(twin::errc::invalid_config, std::move(what));
  };
  if (qos != 0 && qos != 1)
    return fail("MQTT QoS must be 0 or 1");
  if (keepalive_s < 5)
    return fail("MQTT keep-alive must be at least 5 s");
  if (reconnect_min_s == 0 || reconnect_max_s < reconnect_min_s)
    return fail("reconnect backoff needs 0 < min <= max");
  if (max_batch == 0)
    return fail("batch size must be positive");
  if (flush_interval.count() <= 0)
    return fail("flush interval must be positive");
  if (persistent_session && client_id.empty())
    return fail("a persistent MQTT session needs a client id");
  return {};
}

caf::expected<std::unique_ptr<ingest_client>>
ingest_client::start(ingest_client_config config,
                     ingest::decoder_config decoding,
                     ingest::shard_batcher::sink out, size_t shards,
                     ingest::reject_log::sink log) {
  if (auto err = config.validate())
    return err;
  if (shards == 0)
    return caf::make_error(twin::errc::invalid_config, "no shards");
  if (auto err = decoding.create.validate())
    return err;
  if (config.filter.empty())
    config.filter = ingest::topic_filter(
      decoding.tenant.empty() ? "+" : decoding.tenant, decoding.topic_root);
  ensure_library();
  auto result = std::make_unique<ingest_client>(
    private_tag{}, std::move(config), std::move(decoding), std::move(out),
    shards, std::move(log));
  auto& self = *result;
  const char* id = self.config_.client_id.empty()
                     ? nullptr
                     : self.config_.client_id.c_str();
  self.mosq_ = mosquitto_new(id, !self.config_.persistent_session, &self);
  if (self.mosq_ == nullptr)
    return caf::make_error(twin::errc::io_failure,
                           "cannot create an MQTT client");
  mosquitto_connect_callback_set(self.mosq_, on_connect);
  mosquitto_disconnect_callback_set(self.mosq_, on_disconnect);
  mosquitto_subscribe_callback_set(self.mosq_, on_subscribe);
  mosquitto_message_callback_set(self.mosq_, on_message);
  mosquitto_reconnect_delay_set(self.mosq_, self.config_.reconnect_min_s,
                                self.config_.reconnect_max_s, true);
  // A refused first connect is not fatal: the flusher thread retries.
  if (auto err = self.try_first_connect())
    return err;
  self.flusher_ = std::thread{[&self] { self.run_flusher(); }};
  return result;
}

caf::error ingest_client::try_first_connect() {
  auto rc = mosquitto_connect_async(mosq_, config_.broker.host.c_str(),
                                    config_.broker.port,
                                    config_.keepalive_s);
  if (rc == MOSQ_ERR_ERRNO) {
    // Refused or unreachable. libmosquitto 2.0.11 does not retry a first
    // connect that failed this way (checked), so we do, with backoff.
    next_attempt_ = std::chrono::steady_clock::now() + retry_delay_;
    retry_delay_ = std::min(retry_delay_ * 2,
                            std::chrono::seconds{config_.reconnect_max_s});
    return {};
  }
  if (rc != MOSQ_ERR_SUCCESS)
    return caf::make_error(twin::errc::invalid_config,
                           std::string{"MQTT connect: "}
                             + mosquitto_strerror(rc));
  // From here on libmosquitto's thread reconnects by itself.
  if (mosquitto_loop_start(mosq_) != MOSQ_ERR_SUCCESS)
    return caf::make_error(twin::errc::io_failure,
                           "cannot start the MQTT network thread");
  loop_started_ = true;
  return {};
}

ingest_client::ingest_client(private_tag, ingest_client_config config,
                             ingest::decoder_config decoding,
                             ingest::shard_batcher::sink out, size_t shards,
                             ingest::reject_log::sink log)
  : config_(std::move(config)),
    decoder_(std::move(decoding), counters_, log),
    batcher_(shards, config_.max_batch, std::move(out), counters_),
    log_(std::move(log)) {
  retry_delay_ = std::chrono::seconds{config_.reconnect_min_s};
  scratch_.reserve(config_.max_batch);
}

ingest_client::~ingest_client() {
  stop();
  if (mosq_ != nullptr)
    mosquitto_destroy(mosq_);
}

void ingest_client::stop() {
  {
    std::lock_guard<std::mutex> guard{flusher_mtx_};
    if (stopping_)
      return;
    stopping_ = true;
  }
  flusher_cv_.notify_all();
  if (flusher_.joinable())
    flusher_.join();
  if (loop_started_) {
    mosquitto_disconnect(mosq_);
    // force: the thread may be sleeping in a reconnect backoff.
    mosquitto_loop_stop(mosq_, true);
  }
  subscribed_ = false;
  batcher_.flush();
}

void ingest_client::run_flusher() {
  std::unique_lock<std::mutex> lock{flusher_mtx_};
  while (!stopping_) {
    flusher_cv_.wait_for(lock, config_.flush_interval);
    batcher_.flush();
    if (!loop_started_ && std::chrono::steady_clock::now() >= next_attempt_)
      if (auto err = try_first_connect(); err && log_)
        log_("mqtt: " + twin::describe(err));
  }
}

void ingest_client::on_connect(mosquitto* mosq, void* ptr, int rc) {
  auto& self = *static_cast<ingest_client*>(ptr);
  if (rc != 0) {
    if (self.log_)
      self.log_(std::string{"mqtt connect refused: "}
                + mosquitto_connack_string(rc));
    return;
  }
  self.counters_.count_connect();
  // Both filters in one SUBSCRIBE, so one SUBACK tells whether both hold.
  std::vector<char*> filters{self.config_.filter.data()};
  if (!self.config_.command_filter.empty())
    filters.push_back(self.config_.command_filter.data());
  auto sub = mosquitto_subscribe_multiple(
    mosq, nullptr, static_cast<int>(filters.size()), filters.data(),
    self.config_.qos, 0, nullptr);
  if (sub != MOSQ_ERR_SUCCESS && self.log_)
    self.log_(std::string{"mqtt subscribe failed: "}
              + mosquitto_strerror(sub));
}

void ingest_client::on_disconnect(mosquitto*, void* ptr, int) {
  auto& self = *static_cast<ingest_client*>(ptr);
  self.subscribed_ = false;
  self.counters_.count_disconnect();
}

void ingest_client::on_subscribe(mosquitto*, void* ptr, int, int n,
                                 const int* granted) {
  auto& self = *static_cast<ingest_client*>(ptr);
  // 0x80 is the broker refusing a subscription.
  bool ok = n > 0;
  for (int i = 0; i < n; ++i)
    ok = ok && granted[i] != 0x80;
  self.subscribed_ = ok;
  if (!ok && self.log_)
    self.log_("mqtt subscription to '" + self.config_.filter + "' refused");
}

void ingest_client::on_message(mosquitto*, void* ptr,
                               const mosquitto_message* msg) {
  auto& self = *static_cast<ingest_client*>(ptr);
  std::string_view topic{msg->topic != nullptr ? msg->topic : ""};
  std::string_view payload{static_cast<const char*>(msg->payload),
                           static_cast<size_t>(msg->payloadlen)};
  bool command = false;
  if (self.config_.on_command && msg->topic != nullptr
      && mosquitto_topic_matches_sub(self.config_.command_filter.c_str(),
                                     msg->topic, &command)
           == MOSQ_ERR_SUCCESS
      && command) {
    self.config_.on_command(topic, payload);
    return;
  }
  self.scratch_.clear();
  self.decoder_.decode(topic, payload, wall_clock_ms(), self.scratch_);
  if (self.scratch_.empty())
    return;
  if (self.config_.keep) {
    if (auto err = self.config_.keep(self.scratch_)) {
      // Not kept, so not acknowledged: closing the socket now means the
      // queued PUBACK is never written; the broker delivers the message
      // again after the reconnect.
      self.counters_.count_not_kept();
      ::shutdown(mosquitto_socket(self.mosq_), SHUT_RDWR);
      return;
    }
  }
  self.batcher_.add(self.scratch_);
}

} // namespace citytwin::mqtt
