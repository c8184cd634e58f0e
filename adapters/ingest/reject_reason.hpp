// adapters/ingest/reject_reason.hpp
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace citytwin::ingest {

/// Why the ingest edge dropped a payload or a record before it reached the
/// twin. The twin's own rejections (out_of_range, stale_reading, ...) are
/// counted by the twin, by `errc`. Append only: the names are metric labels.
enum class reject_reason : uint8_t {
  /// The payload exceeds defaults::max_payload_bytes.
  too_large = 1,
  /// The topic or payload is not valid UTF-8.
  invalid_utf8,
  /// The topic does not follow `city/<tenant>/<kind>/<sensor-id>`.
  bad_topic,
  /// The payload is not JSON where JSON was expected, or not a Protobuf
  /// ReadingBatch.
  malformed_payload,
  /// A JSON member has the wrong type (a string where a number belongs).
  wrong_type,
  /// A value or time is NaN or infinite (also after adding base values).
  not_finite,
  /// A SenML record without a value (`v`, `vs`, `vb`, `vd` or `s`), or a
  /// NGSI-LD attribute without one.
  missing_value,
  /// A string or data value where the twin needs a number.
  not_numeric,
  /// A SenML name with forbidden characters, or a malformed entity id.
  bad_name,
  /// A SenML version above 10 or a must-understand field (`..._`).
  unsupported,
  /// No binding for a SenML name, or an entity of another city (and, with
  /// the `create` policy, no topic to take a kind from).
  unknown_entity,
  /// An attribute that names no quantity of the twin.
  unknown_quantity,
  /// A unit that does not match the bound quantity and has no conversion.
  unit_mismatch,
  /// A time before defaults::min_time_ms.
  too_old,
  /// A time more than defaults::max_ahead_ms after now.
  in_future,
  /// The same entity, quantity and time as a reading already accepted.
  duplicate,
  /// Older than a reading already accepted for that entity and quantity.
  out_of_order,
  /// An unknown id that the `create` policy may not turn into an entity:
  /// its topic's kind is not a sensor kind, or names no kind.
  not_creatable,
  /// An unknown id beyond the number of entities the `create` policy may
  /// create (`--max-created`).
  create_limit,
  /// JSON nested deeper, or with more values, than twin::json_limits
  /// allows, or with the same key twice in one object.
  too_complex,
  /// An entity the `create` policy made for an unknown id could not be
  /// recorded for restarts (disk full), so it was not made.
  not_recorded,
};

/// Number of reasons; values run from 1 to this.
constexpr size_t num_reject_reasons = 21;

/// A dropped payload or record: why, and a line for the log.
struct rejection {
  reject_reason reason = reject_reason::malformed_payload;
  std::string detail;
};

/// The snake_case name, used as a metric label.
std::string_view to_string(reject_reason reason);

} // namespace citytwin::ingest
