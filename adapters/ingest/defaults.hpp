// adapters/ingest/defaults.hpp
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace citytwin::ingest::defaults {

/// Largest payload accepted from a feed. Sensor packs are a few hundred
/// bytes; anything larger is a misconfigured or hostile publisher.
constexpr size_t max_payload_bytes = 64 * 1024;

/// Readings older than this instant (2000-01-01T00:00:00Z, in ms) are
/// rejected as `too_old`: a broken clock or a relative time read as
/// absolute. The recorded datasets start in 2014.
constexpr int64_t min_time_ms = 946'684'800'000;

/// Readings later than "now" plus this are rejected as `in_future`: a
/// sensor clock may run a little fast, never an hour.
constexpr int64_t max_ahead_ms = 3'600'000;

/// A shard's batch is sent to its ROUTER once it holds this many
/// readings, and otherwise after `flush_interval`.
constexpr size_t max_batch = 1024;

/// Longest time a reading waits in the adapter before it is sent on.
constexpr std::chrono::milliseconds flush_interval{5};

/// Reconnect backoff of the MQTT client: starts at `min`, doubles up to
/// `max` (seconds, as libmosquitto takes them).
constexpr unsigned reconnect_min_s = 1;
constexpr unsigned reconnect_max_s = 30;

/// MQTT keep-alive interval in seconds.
constexpr int keepalive_s = 30;

/// Most sensor entities the `create` policy for unknown ids makes: a
/// publisher cycling through fresh ids must not grow the twin unbounded.
constexpr size_t max_created = 10'000;

/// Longest external id (SenML device prefix, NGSI-LD id) the `create`
/// policy binds; the bindings it keeps must stay small.
constexpr size_t max_external_id = 256;

/// Default topic scheme root: `city/<tenant>/<kind>/<sensor-id>`.
constexpr const char* topic_root = "city";

} // namespace citytwin::ingest::defaults
