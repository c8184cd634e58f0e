// twin/command.hpp
#pragma once

// Commands to actuators: what an operator, a rule or an MQTT client asks a
// street lamp or a traffic light to do. A command is not a reading: a
// reading reports what a device measured, a command says what it should
// do. Both change the entity's state through its actor, and both show in
// its deltas; only a command can be refused because the device cannot
// honour it (a faulty lamp, a phase the light does not have).

#include "twin/entity_state.hpp"

#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin::twin {

/// What a command does. The numbers travel in messages: append only.
enum class command_kind : uint8_t {
  /// A street lamp's output, 0 (off) .. 1 (full), as `dim_level`.
  dim = 1,
  /// A traffic light's green time per phase, in seconds.
  signal_plan,
  /// A traffic light's operating mode (`signal_mode`).
  signal_mode,
};

/// Names a command kind: `dim`, `signal_plan`, `signal_mode`.
std::string_view to_string(command_kind kind);

/// Parses a command kind name, as in MQTT topics and rule files.
std::optional<command_kind> parse_command_kind(std::string_view name);

/// The NGSI-LD attribute through which clients send commands of `kind`:
/// `dimLevelCommand`, `signalPlanCommand`, `signalModeCommand`.
std::string_view command_attribute(command_kind kind);

/// The command kind of such an attribute name.
std::optional<command_kind> parse_command_attribute(std::string_view name);

/// The entity kind that takes commands of `kind`.
entity_kind actuator_of(command_kind kind);

/// True if entities of `kind` take any command.
bool is_actuator(entity_kind kind);

/// Names a signal mode: `normal`, `all_red`, `flashing`.
std::string_view to_string(signal_mode mode);

/// Parses a signal mode name (also NGSI-LD's camelCase `allRed`).
std::optional<signal_mode> parse_signal_mode(std::string_view name);

/// One command to one actuator. `issuer` and `reason` make every
/// actuation explainable: who asked ("operator:alice", "rule:night-
/// traffic", "mqtt") and why, in words.
struct command {
  entity_id target;
  command_kind kind = command_kind::dim;
  double level = 0;                      ///< dim: 0 .. 1
  std::array<uint16_t, max_plan_phases> green_s{}; ///< signal_plan
  uint8_t num_phases = 0;                ///< signal_plan: phases given
  signal_mode mode = signal_mode::normal; ///< signal_mode
  time_ms time = 0;                      ///< when it was issued
  std::string issuer;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, command& x) {
  return f(caf::meta::type_name("command"), x.target, x.kind, x.level,
           x.green_s, x.num_phases, x.mode, x.time, x.issuer, x.reason);
}

/// Longest `reason` an edge accepts with a command: it travels into
/// explanations and logs, so it stays short.
constexpr size_t max_reason_bytes = 256;

/// Shortest and longest green time of a phase a plan may set, in seconds
/// (below 5 s pedestrians cannot cross; above 180 s drivers assume a
/// fault).
constexpr uint16_t min_green_s = 5;
constexpr uint16_t max_green_s = 180;

/// Checks what can be checked without the actuator's state: the target's
/// kind takes this kind of command, the level is finite and inside 0 .. 1,
/// a plan has 1 .. max_plan_phases phases of min_green_s .. max_green_s.
/// Errors are `not_an_actuator`, `not_finite` or `out_of_range`.
caf::error validate(const command& x);

/// Executes a command on an actuator's state: `validate`, then what only
/// the state knows (a faulty lamp cannot be dimmed, a plan must have as
/// many phases as the light, an unsignalised intersection takes no
/// signal command). Returns the changed set (`bit(quantity)` for measured
/// quantities such as dim_level, `actuation_bit` for the rest; never 0,
/// since a command counts even if it repeats the current setting) or
/// `not_an_actuator`, `out_of_range` or `actuator_fault`. A refused
/// command leaves the state untouched. The entity's `updated` time is
/// left alone: commands come at wall-clock time, readings may be replayed
/// from years ago, and a command must not make them stale.
caf::expected<uint32_t> execute(entity_state& state, const command& x);

/// Renders what a command asks, e.g. `dim to 0.8` or `signal plan
/// 30/20/25 s` or `signal mode flashing`.
std::string describe(const command& x);

} // namespace citytwin::twin
