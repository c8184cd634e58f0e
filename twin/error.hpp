// twin/error.hpp
#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <cstdint>
#include <string>

namespace citytwin::twin {

/// Every expected failure of citytwin, shared by all folders. The numbering
/// travels inside `caf::error` across nodes: append only.
enum class errc : uint8_t {
  /// No entity with that id exists in the twin.
  unknown_entity = 1,
  /// A kind name is not one of `entity_kind`'s.
  unknown_kind,
  /// An entity id is not of the form `urn:ngsi-ld:<Type>:<city>:<number>`.
  malformed_id,
  /// A reading names a quantity the target kind does not have.
  wrong_quantity,
  /// A reading's value lies outside the quantity's physical range.
  out_of_range,
  /// A reading's value is NaN or infinite.
  not_finite,
  /// A reading is older than the state it would overwrite.
  stale_reading,
  /// A city file or generator parameter is invalid.
  invalid_city,
  /// A file could not be opened, read or written.
  io_failure,
  /// A command-line or configuration value is invalid.
  invalid_config,
  /// A wire payload could not be decoded.
  malformed_payload,
  /// A command names an entity that takes no such command.
  not_an_actuator,
  /// An actuator cannot honour a command in its present state (a faulty
  /// lamp, a plan for phases the light does not have).
  actuator_fault,
  /// A stored file (archive segment, journal) fails its own checks: it is
  /// truncated, damaged or not ours. The server refuses to overwrite it.
  corrupt_file,
  /// The disk is full: nothing more can be kept until space is freed.
  out_of_space,
  /// Another process holds what was asked for (a server has the tenant's
  /// archive open): stop it first.
  in_use,
};

/// Names an error code, e.g. `unknown_entity`.
const char* to_string(errc code);

/// Renders any error as one line: `unknown_entity: urn:...` for our own
/// codes, CAF's own rendering otherwise. Works without an actor system.
std::string describe(const caf::error& err);

} // namespace citytwin::twin

CAF_ERROR_CODE_ENUM(citytwin::twin::errc, "twin")
