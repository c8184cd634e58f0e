// adapters/ingest/reject_reason.cpp
#include "adapters/ingest/reject_reason.hpp"

#include <array>

namespace citytwin::ingest {

std::string_view to_string(reject_reason reason) {
  static constexpr std::array<std::string_view, num_reject_reasons> names = {
    "too_large",      "invalid_utf8",     "bad_topic",     "malformed_payload",
    "wrong_type",     "not_finite",       "missing_value", "not_numeric",
    "bad_name",       "unsupported",      "unknown_entity", "unknown_quantity",
    "unit_mismatch",  "too_old",          "in_future",     "duplicate",
    "out_of_order",   "not_creatable",    "create_limit",  "too_complex",
    "not_recorded",
  };
  auto index = static_cast<size_t>(reason) - 1;
  return index < names.size() ? names[index] : "unknown";
}

} // namespace citytwin::ingest
