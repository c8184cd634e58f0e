// bench/broker_bench.hpp
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace citytwin::bench {

/// Requests one load ran through the NGSI-LD API.
struct http_load {
  std::string what;
  size_t requests = 0; ///< answered with the expected status
  size_t errors = 0;   ///< anything else
  size_t connects = 0; ///< TCP connections the clients opened
  double seconds = 0;

  double per_second() const {
    return seconds > 0 ? requests / seconds : 0;
  }
};

struct api_throughput_result {
  std::vector<http_load> loads;
  size_t server_threads = 0;
  size_t client_threads = 0;
  std::string skipped;
};

/// Serves the broker's API in this process on 127.0.0.1 and drives it
/// from `clients` threads with kept-alive connections for `seconds` per
/// load: entity retrieve and partial attribute update through Boost.Beast,
/// and the same retrieve through WebSocket++'s HTTP handler (which closes
/// every connection after one response), for comparison.
api_throughput_result measure_api_throughput(size_t server_threads,
                                             size_t clients, double seconds);

/// One subscriber of the fan-out run.
struct fanout_subscriber {
  std::string transport;
  unsigned long long offered = 0;
  unsigned long long delivered = 0;
  unsigned long long coalesced = 0;
  unsigned long long dropped = 0;
  size_t received = 0; ///< updates the receiving end counted
};

struct fanout_result {
  double rate = 0;    ///< readings per second offered to the sensor
  size_t sent = 0;    ///< readings sent
  size_t changes = 0; ///< entity changes the broker saw
  std::vector<fanout_subscriber> subscribers;
  size_t samples = 0; ///< latency samples (delivered updates)
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  bool accounted = false; ///< offered = delivered + coalesced + dropped, all
  std::string skipped;
};

/// One sensor of a live twin, `subscribers` subscriptions on it (webhooks,
/// MQTT through a real mosquitto, WebSocket, in turn), readings sent at
/// `rate` per second for `seconds`; latency from sending a reading to a
/// subscriber receiving the notification that carries it.
fanout_result measure_fanout(double rate, double seconds, size_t subscribers);

} // namespace citytwin::bench
