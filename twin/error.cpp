// twin/error.cpp
#include "twin/error.hpp"

#include <caf/atom.hpp>
#include <caf/deep_to_string.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace citytwin::twin {

const char* to_string(errc code) {
  switch (code) {
    case errc::unknown_entity:
      return "unknown_entity";
    case errc::unknown_kind:
      return "unknown_kind";
    case errc::malformed_id:
      return "malformed_id";
    case errc::wrong_quantity:
      return "wrong_quantity";
    case errc::out_of_range:
      return "out_of_range";
    case errc::not_finite:
      return "not_finite";
    case errc::stale_reading:
      return "stale_reading";
    case errc::invalid_city:
      return "invalid_city";
    case errc::io_failure:
      return "io_failure";
    case errc::invalid_config:
      return "invalid_config";
    case errc::malformed_payload:
      return "malformed_payload";
    case errc::not_an_actuator:
      return "not_an_actuator";
    case errc::actuator_fault:
      return "actuator_fault";
    case errc::corrupt_file:
      return "corrupt_file";
    case errc::out_of_space:
      return "out_of_space";
    case errc::in_use:
      return "in_use";
  }
  return "unknown_error";
}

std::string describe(const caf::error& err) {
  if (!err)
    return "no error";
  std::string result;
  if (err.category() == caf::atom("twin"))
    result = to_string(static_cast<errc>(err.code()));
  else if (err.category() == caf::atom("system"))
    result = caf::to_string(static_cast<caf::sec>(err.code()));
  else
    result = caf::to_string(err);
  const auto& ctx = err.context();
  // Our errors carry one string of context; print it bare, not as a tuple.
  if (ctx.match_elements<std::string>())
    result += ": " + ctx.get_as<std::string>(0);
  else if (!ctx.empty())
    result += ": " + caf::deep_to_string(ctx);
  return result;
}

} // namespace citytwin::twin
