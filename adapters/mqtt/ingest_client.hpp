// adapters/mqtt/ingest_client.hpp
#pragma once

#include "adapters/ingest/defaults.hpp"
#include "adapters/ingest/ingest_counters.hpp"
#include "adapters/ingest/payload_decoder.hpp"
#include "adapters/ingest/shard_batcher.hpp"
#include "adapters/mqtt/broker_url.hpp"

#include <caf/expected.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct mosquitto;
struct mosquitto_message;

namespace citytwin::mqtt {

/// How the ingest client talks to its broker.
struct ingest_client_config {
  broker_url broker;
  /// Subscription filter; empty = `city/<tenant>/+/+` from the decoder's
  /// tenant (`city/+/+/+` for any tenant).
  std::string filter;
  int qos = 1; ///< 0 or 1
  std::string client_id; ///< empty = chosen by libmosquitto
  int keepalive_s = ingest::defaults::keepalive_s;
  unsigned reconnect_min_s = ingest::defaults::reconnect_min_s;
  unsigned reconnect_max_s = ingest::defaults::reconnect_max_s;
  size_t max_batch = ingest::defaults::max_batch;
  std::chrono::milliseconds flush_interval = ingest::defaults::flush_interval;
  /// A second filter, for commands to actuators (command_intake.hpp):
  /// messages matching it go to `on_command` on the network thread instead
  /// of the decoder. Empty: no commands.
  std::string command_filter;
  std::function<void(std::string_view topic, std::string_view payload)>
    on_command;
  /// Durable ingest: called on the network thread with each message's
  /// accepted readings before the message is acknowledged. libmosquitto
  /// (2.0.11, threaded mode) queues a QoS 1 PUBACK when the PUBLISH
  /// arrives but writes it only after the message callback has returned
  /// (lib/packet_mosq.c `packet__queue`, lib/loop.c), so a reading is
  /// acknowledged only once this has kept it. An error means it was not
  /// kept: the client drops the connection before the PUBACK leaves, and
  /// the broker delivers the message again.
  std::function<caf::error(const twin::reading_batch&)> keep;
  /// A persistent session (`clean_session=false`, needs `client_id`): the
  /// broker holds QoS 1 messages for the twin while it restarts.
  bool persistent_session = false;

  /// errc::invalid_config for values that make no sense.
  caf::error validate() const;
};

/// An MQTT subscriber feeding the twin. It runs on libmosquitto's own
/// network thread (`mosquitto_loop_start`): each message is decoded there
/// and its readings go into per-shard batches, which leave for the
/// ROUTERs (`anon_send`, never blocking) when full or after
/// `flush_interval` (a small flusher thread). libmosquitto reconnects with
/// exponential backoff; the client subscribes again on every connect.
class ingest_client {
  struct private_tag {
    explicit private_tag() = default;
  };

public:
  /// Starts connecting in the background and returns at once: a broker
  /// that is down at start is retried like a lost connection.
  static caf::expected<std::unique_ptr<ingest_client>>
  start(ingest_client_config config, ingest::decoder_config decoding,
        ingest::shard_batcher::sink out, size_t shards,
        ingest::reject_log::sink log = {});

  /// Stops: disconnects, joins the threads and sends what is batched.
  ~ingest_client();

  ingest_client(const ingest_client&) = delete;
  ingest_client& operator=(const ingest_client&) = delete;

  /// Disconnects and stops the threads; idempotent.
  void stop();

  /// True while connected and subscribed.
  bool subscribed() const {
    return subscribed_.load();
  }

  const ingest::ingest_counters& counters() const {
    return counters_;
  }

  /// Sends every batched reading now.
  void flush() {
    batcher_.flush();
  }

  /// Use `start`.
  ingest_client(private_tag, ingest_client_config config,
                ingest::decoder_config decoding,
                ingest::shard_batcher::sink out, size_t shards,
                ingest::reject_log::sink log);

private:

  static void on_connect(mosquitto*, void* self, int rc);
  static void on_disconnect(mosquitto*, void* self, int rc);
  static void on_subscribe(mosquitto*, void* self, int mid, int n,
                           const int* granted);
  static void on_message(mosquitto*, void* self, const mosquitto_message*);
  void run_flusher();
  // Connects for the first time and starts the network thread; on a
  // refused connection schedules the next attempt instead.
  caf::error try_first_connect();

  ingest_client_config config_;
  ingest::ingest_counters counters_;
  ingest::payload_decoder decoder_; // used on the network thread only
  ingest::shard_batcher batcher_;
  ingest::reject_log::sink log_;
  twin::reading_batch scratch_; // network thread only
  mosquitto* mosq_ = nullptr;
  // Written by `start`, then only by the flusher thread, read by `stop`
  // after joining it.
  bool loop_started_ = false;
  std::chrono::steady_clock::time_point next_attempt_;
  std::chrono::seconds retry_delay_;
  std::atomic<bool> subscribed_{false};
  std::mutex flusher_mtx_;
  std::condition_variable flusher_cv_;
  bool stopping_ = false; // guarded by flusher_mtx_
  std::thread flusher_;
};

} // namespace citytwin::mqtt
