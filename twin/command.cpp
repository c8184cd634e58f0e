// twin/command.cpp
#include "twin/command.hpp"

#include "twin/error.hpp"
#include "twin/text.hpp"

#include <cmath>

namespace citytwin::twin {

namespace {

std::string name_of(entity_id id) {
  return std::string{to_string(id.kind)} + " " + std::to_string(id.number);
}

caf::error refuse(errc code, const command& x, const std::string& why) {
  return caf::make_error(code, name_of(x.target) + ": " + describe(x)
                                 + " refused: " + why);
}

// Commands change the typed state; each overload returns the changed set
// or why the actuator cannot honour the command.
struct kind_execute {
  const command& x;

  caf::expected<uint32_t> operator()(street_lamp_state& s) const {
    if (s.fault)
      return refuse(errc::actuator_fault, x, "the lamp reports a fault");
    if (x.level > 0 && !s.on)
      ++s.switch_count;
    s.dim_level = x.level;
    s.on = x.level > 0;
    s.power_w = s.rated_power_w * s.dim_level;
    ++s.commands;
    s.last_command = x.time;
    s.command_pending = true;
    s.commanded_level = x.level;
    return bit(quantity::dim_level) | bit(quantity::power) | actuation_bit;
  }

  caf::expected<uint32_t> operator()(intersection_state& s) const {
    if (s.num_phases == 0)
      return refuse(errc::actuator_fault, x, "the intersection has no signal");
    if (x.kind == command_kind::signal_plan) {
      if (s.num_phases > max_plan_phases)
        return refuse(errc::actuator_fault, x,
                      "the light has " + std::to_string(s.num_phases)
                        + " phases; plans time at most "
                        + std::to_string(max_plan_phases));
      if (x.num_phases != s.num_phases)
        return refuse(errc::actuator_fault, x,
                      "the light has " + std::to_string(s.num_phases)
                        + " phases, the plan "
                        + std::to_string(x.num_phases));
      s.green_s = x.green_s;
    } else {
      s.mode = x.mode;
    }
    ++s.commands;
    s.last_command = x.time;
    return actuation_bit;
  }

  template <class Other>
  caf::expected<uint32_t> operator()(Other&) const {
    return refuse(errc::not_an_actuator, x, "not an actuator");
  }
};

} // namespace

std::string_view to_string(command_kind kind) {
  switch (kind) {
    case command_kind::dim:
      return "dim";
    case command_kind::signal_plan:
      return "signal_plan";
    case command_kind::signal_mode:
      return "signal_mode";
  }
  return "unknown";
}

std::optional<command_kind> parse_command_kind(std::string_view name) {
  for (auto k : {command_kind::dim, command_kind::signal_plan,
                 command_kind::signal_mode})
    if (name == to_string(k))
      return k;
  return std::nullopt;
}

std::string_view command_attribute(command_kind kind) {
  switch (kind) {
    case command_kind::dim:
      return "dimLevelCommand";
    case command_kind::signal_plan:
      return "signalPlanCommand";
    case command_kind::signal_mode:
      return "signalModeCommand";
  }
  return "unknownCommand";
}

std::optional<command_kind> parse_command_attribute(std::string_view name) {
  for (auto k : {command_kind::dim, command_kind::signal_plan,
                 command_kind::signal_mode})
    if (name == command_attribute(k))
      return k;
  return std::nullopt;
}

entity_kind actuator_of(command_kind kind) {
  return kind == command_kind::dim ? entity_kind::street_lamp
                                   : entity_kind::intersection;
}

bool is_actuator(entity_kind kind) {
  return kind == entity_kind::street_lamp || kind == entity_kind::intersection;
}

std::string_view to_string(signal_mode mode) {
  switch (mode) {
    case signal_mode::normal:
      return "normal";
    case signal_mode::all_red:
      return "all_red";
    case signal_mode::flashing:
      return "flashing";
  }
  return "unknown";
}

std::optional<signal_mode> parse_signal_mode(std::string_view name) {
  if (name == "normal")
    return signal_mode::normal;
  if (name == "all_red" || name == "allRed")
    return signal_mode::all_red;
  if (name == "flashing")
    return signal_mode::flashing;
  return std::nullopt;
}

caf::error validate(const command& x) {
  if (x.target.kind != actuator_of(x.kind))
    return refuse(errc::not_an_actuator, x,
                  "a " + std::string{to_string(x.target.kind)}
                    + " takes no " + std::string{to_string(x.kind)}
                    + " command");
  switch (x.kind) {
    case command_kind::dim:
      if (!std::isfinite(x.level))
        return refuse(errc::not_finite, x, "the level is not finite");
      if (x.level < 0 || x.level > 1)
        return refuse(errc::out_of_range, x, "the level must lie in [0, 1]");
      break;
    case command_kind::signal_plan:
      if (x.num_phases == 0 || x.num_phases > max_plan_phases)
        return refuse(errc::out_of_range, x,
                      "a plan times 1 to " + std::to_string(max_plan_phases)
                        + " phases");
      for (size_t i = 0; i < max_plan_phases; ++i) {
        auto g = x.green_s[i];
        if (i >= x.num_phases ? g != 0 : g < min_green_s || g > max_green_s)
          return refuse(errc::out_of_range, x,
                        "green time of phase " + std::to_string(i)
                          + " must lie in [" + std::to_string(min_green_s)
                          + ", " + std::to_string(max_green_s) + "] s");
      }
      break;
    case command_kind::signal_mode:
      if (static_cast<uint8_t>(x.mode)
          > static_cast<uint8_t>(signal_mode::flashing))
        return refuse(errc::out_of_range, x, "unknown signal mode");
      break;
  }
  return caf::none;
}

caf::expected<uint32_t> execute(entity_state& state, const command& x) {
  if (state.id != x.target)
    return refuse(errc::unknown_entity, x,
                  "delivered to " + name_of(state.id));
  if (auto err = validate(x))
    return err;
  return std::visit(kind_execute{x}, state.detail);
}

std::string describe(const command& x) {
  switch (x.kind) {
    case command_kind::dim:
      return "dim to " + shortest(x.level);
    case command_kind::signal_plan: {
      std::string result = "signal plan ";
      for (size_t i = 0; i < x.num_phases && i < max_plan_phases; ++i) {
        if (i > 0)
          result += '/';
        result += std::to_string(x.green_s[i]);
      }
      return result + " s";
    }
    case command_kind::signal_mode:
      return "signal mode " + std::string{to_string(x.mode)};
  }
  return "unknown command";
}

} // namespace citytwin::twin
