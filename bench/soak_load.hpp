// bench/soak_load.hpp
#pragma once

// The soak's load generators. Each runs in its own process (a child of the
// driver: `citytwin-soak --ingest ...` etc.), so that the server's CPU and
// memory are measured apart from the clients'. Each stops by itself after
// `seconds`, or earlier when its stdin reaches EOF, and prints one result
// line on stdout.

#include <cstddef>
#include <cstdint>
#include <string>

namespace citytwin::bench {

/// The entity kind the load never publishes to: the driver's
/// ingest-to-viewer probe owns it, so that every change a viewer sees of
/// that kind is a probe's.
inline constexpr const char* probe_kind = "noise_sensor";

/// Publishes SenML packs for every device of the city at `city_path`
/// (bench/senml_stream, times rewritten to "now") to the broker on
/// 127.0.0.1:`port` at `rate` packs/s (0: as fast as possible), QoS 0.
/// Prints `ingest <published> <seconds>`.
int run_ingest_load(uint16_t port, const std::string& city_path, double rate,
                    double seconds);

/// Reads the NGSI-LD API on 127.0.0.1:`port` with `connections` kept-alive
/// connections at `rate` requests/s in all (0: closed loop, as fast as each
/// connection is answered): one entity by id, or a page of a type query.
/// Prints `api <ok> <errors> <late> <seconds>` (late: sends skipped
/// because the connection was more than a second behind its schedule).
int run_api_load(uint16_t port, const std::string& token, double rate,
                 size_t connections, double seconds);

/// A webhook receiver on 127.0.0.1 (any free port): answers 204 to every
/// request. Prints `port <n>` once listening, `received <n>` at the end.
int run_webhook_receiver(double seconds);

} // namespace citytwin::bench
