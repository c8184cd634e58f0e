// twin/json_reader.hpp
#pragma once

// The one way citytwin reads JSON that comes from outside (HTTP bodies,
// MQTT payloads, WebSocket filters, files): a SAX parser that enforces a
// nesting depth and an element count while it reads, so a hostile
// document is refused before it costs stack or memory, and that refuses
// duplicate object keys instead of letting the last one win silently.
// nlohmann's own DOM parser accepts any depth, and copying or comparing a
// document nested 100,000 levels deep overflows the stack.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace citytwin::twin {

/// Bounds on one JSON document; the defaults suit NGSI-LD bodies, SenML
/// packs and filters (documented in docs/limits.md).
struct json_limits {
  /// Arrays and objects nested inside each other (the root counts as 1).
  size_t max_depth = 32;
  /// Values of any kind, keys not counted.
  size_t max_elements = 200'000;
};

/// Why a document was refused. Numbering is append only.
enum class json_refusal : uint8_t {
  none = 0,
  syntax,            ///< not JSON (including ill-formed UTF-8)
  too_deep,          ///< nesting beyond max_depth
  too_many_elements, ///< more than max_elements values
  duplicate_key,     ///< the same key twice in one object
};

/// The name used in messages and counters, e.g. `json_too_deep`.
std::string_view to_string(json_refusal r);

/// The outcome of `read_json`: a value, or why there is none.
struct json_read {
  nlohmann::json value;
  json_refusal refusal = json_refusal::none;
  std::string detail; ///< a human-readable reason, with a byte offset

  explicit operator bool() const {
    return refusal == json_refusal::none;
  }
};

/// Parses `text` within `limits`.
json_read read_json(std::string_view text, const json_limits& limits = {});

} // namespace citytwin::twin
