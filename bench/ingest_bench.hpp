// bench/ingest_bench.hpp: the goals of issue 3, MQTT/SenML ingest.
#pragma once

#include "actors/runtime.hpp"
#include "adapters/archive/tenant_archive.hpp"
#include "bench/senml_stream.hpp"
#include "twin/city.hpp"

#include <cstddef>
#include <string>

namespace citytwin::bench {

/// What the twin applied of a stream, and when it was done.
struct applied_result {
  size_t readings_applied = 0;
  size_t readings_rejected = 0; ///< by the edge or by entities
  double seconds = 0;           ///< from the first message to the last apply
  bool finished = false;        ///< false: stopped at the time limit

  double per_second() const {
    return seconds > 0 ? double(readings_applied) / seconds : 0;
  }
};

struct mqtt_ingest_result {
  std::string skipped; ///< why nothing was measured, if so
  size_t published = 0;
  double publish_seconds = 0;
  /// What `mosquitto_sub` printed, and when the last line came.
  size_t sub_messages = 0;
  double sub_seconds = 0;
  size_t twin_messages = 0; ///< what the ingest client received
  applied_result twin;

  double sub_messages_per_second() const {
    return sub_seconds > 0 ? double(sub_messages) / sub_seconds : 0;
  }
};

/// Starts mosquitto on a free loopback port, subscribes `mosquitto_sub`
/// (a child process whose output is counted) and an ingest client feeding
/// a twin of `c`, publishes `stream` at QoS 0 as fast as one libmosquitto
/// publisher can, and waits until both have everything or nothing arrives
/// for two seconds (at most `time_limit_s`).
/// With `qos` 1 and `keep`, the durable path `serve --archive` runs:
/// publisher, subscribers and ingest client at QoS 1, and every message's
/// readings journaled before the ingest client acknowledges it.
mqtt_ingest_result measure_mqtt_ingest(const twin::city& c,
                                       const senml_stream& stream,
                                       const actors::runtime_settings& rt,
                                       double time_limit_s, int qos = 0,
                                       archive::keep_fn keep = {});

struct senml_apply_result {
  size_t threads = 0;
  size_t messages = 0;
  double decode_seconds = 0; ///< until every decoder thread was done
  applied_result twin;
};

/// Decodes `stream` in `threads` threads (devices split between them),
/// each through its own payload_decoder and shard_batcher into a twin of
/// `c` spawned for this run, and waits until the entities applied it.
senml_apply_result measure_senml_apply(const twin::city& c,
                                       const senml_stream& stream,
                                       const actors::runtime_settings& rt,
                                       size_t threads, double time_limit_s);

struct decode_result {
  size_t readings = 0; ///< accepted by the decoder
  double seconds = 0;
  double cpu_seconds = 0; ///< of the decoding thread
};

/// Decodes `stream` on this thread through one payload_decoder, readings
/// going nowhere: the decoder's own speed.
decode_result measure_senml_decode(const twin::city& c,
                                   const senml_stream& stream);

} // namespace citytwin::bench
