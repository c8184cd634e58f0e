// twin/kind_states.hpp
#pragma once

#include "twin/reading.hpp"

#include <caf/meta/type_name.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>

namespace citytwin::twin {

/// How loaded a road segment is, from its speed relative to the limit.
enum class congestion : uint8_t { unknown, free_flow, moderate, heavy, jammed };

/// A directed road segment between two intersections.
struct road_segment_state {
  double speed_limit_kmh = 50;  ///< static, from the city
  double capacity_veh_h = 1800; ///< static, from the city
  double flow_veh_h = 0;
  double speed_kmh = 0;
  double occupancy = 0;
  congestion level = congestion::unknown;
};

/// How a traffic light operates; set by command (twin/command.hpp).
enum class signal_mode : uint8_t { normal, all_red, flashing };

/// Phases a signal plan can time. A light with more phases keeps its own
/// timing and refuses plans.
constexpr size_t max_plan_phases = 8;

/// An intersection; signalised ones cycle through phases.
struct intersection_state {
  uint8_t num_phases = 0; ///< static: 0 for an unsignalised intersection
  uint8_t phase = 0;
  uint32_t phase_changes = 0;
  time_ms phase_since = 0;
  signal_mode mode = signal_mode::normal;
  /// Green seconds per phase of the commanded plan; all 0: the light's own.
  std::array<uint16_t, max_plan_phases> green_s{};
  uint32_t commands = 0;  ///< commands honoured
  time_ms last_command = 0;
};

/// A street lamp, dimmable, with a rated power.
struct street_lamp_state {
  double rated_power_w = 60; ///< static, from the city
  double dim_level = 0;
  double power_w = 0;
  uint32_t switch_count = 0; ///< off->on transitions, for lamp wear
  bool on = false;
  bool fault = false;
  uint32_t commands = 0; ///< commands honoured
  time_ms last_command = 0;
  /// A dim command set `commanded_level` and the lamp has not reported
  /// that level since: a real lamp that follows its commands (over MQTT)
  /// clears this with its next report; twin/rules/actuator_watch alerts
  /// when it does not.
  bool command_pending = false;
  double commanded_level = 0;
};

/// How far a lamp's reported dim level may be from the commanded one and
/// still confirm the command (drivers step in 1/256 or coarser).
constexpr double dim_confirm_tolerance = 0.005;

/// A waste bin; a sharp drop of its fill level counts as a collection.
struct waste_bin_state {
  double capacity_l = 240; ///< static, from the city
  double fill_level = 0;
  double temperature = 0;
  uint32_t collections = 0;
  time_ms last_emptied = 0;
  bool full = false;
};

/// An induction-loop or radar counter on a road segment.
struct traffic_counter_state {
  double flow_veh_h = 0;
  double speed_kmh = 0;
  double occupancy = 0;
  uint64_t vehicles_total = 0;
};

/// An air-quality station; `band` is the CAQI band 1 (very low) .. 5.
struct air_quality_state {
  double pm10 = 0;
  double pm25 = 0;
  double no2 = 0;
  double temperature = 0;
  double humidity = 0;
  uint8_t band = 0; ///< 0 until a pollutant has been measured
};

/// A sound-level meter.
struct noise_sensor_state {
  double level_dba = 0;
  double peak_dba = 0;
};

/// A car park or on-street parking zone with a fixed number of spaces.
struct parking_sensor_state {
  uint32_t capacity = 0; ///< static, from the city
  uint32_t free = 0;
  double occupancy = 0;
  bool full = false;
};

/// An electricity meter; its energy register never runs backwards.
struct energy_meter_state {
  double energy_kwh = 0;
  double power_w = 0;
};

/// A counting camera (people and vehicles per interval).
struct camera_state {
  uint32_t people = 0;
  uint32_t vehicles = 0;
};

/// The typed state of any kind; the alternative's index is the kind's index.
using kind_state
    = std::variant<road_segment_state, intersection_state, street_lamp_state,
                   waste_bin_state, traffic_counter_state, air_quality_state,
                   noise_sensor_state, parking_sensor_state, energy_meter_state,
                   camera_state>;

/// A default state for `kind`.
kind_state make_kind_state(entity_kind kind);

// -- serialization ------------------------------------------------------------

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, road_segment_state& x) {
  return f(caf::meta::type_name("road_segment_state"), x.speed_limit_kmh,
           x.capacity_veh_h, x.flow_veh_h, x.speed_kmh, x.occupancy, x.level);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, intersection_state& x) {
  return f(caf::meta::type_name("intersection_state"), x.num_phases, x.phase,
           x.phase_changes, x.phase_since, x.mode, x.green_s, x.commands,
           x.last_command);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, street_lamp_state& x) {
  return f(caf::meta::type_name("street_lamp_state"), x.rated_power_w,
           x.dim_level, x.power_w, x.switch_count, x.on, x.fault, x.commands,
           x.last_command, x.command_pending, x.commanded_level);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, waste_bin_state& x) {
  return f(caf::meta::type_name("waste_bin_state"), x.capacity_l, x.fill_level,
           x.temperature, x.collections, x.last_emptied, x.full);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f,
                                        traffic_counter_state& x) {
  return f(caf::meta::type_name("traffic_counter_state"), x.flow_veh_h,
           x.speed_kmh, x.occupancy, x.vehicles_total);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, air_quality_state& x) {
  return f(caf::meta::type_name("air_quality_state"), x.pm10, x.pm25, x.no2,
           x.temperature, x.humidity, x.band);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, noise_sensor_state& x) {
  return f(caf::meta::type_name("noise_sensor_state"), x.level_dba, x.peak_dba);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, parking_sensor_state& x) {
  return f(caf::meta::type_name("parking_sensor_state"), x.capacity, x.free,
           x.occupancy, x.full);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, energy_meter_state& x) {
  return f(caf::meta::type_name("energy_meter_state"), x.energy_kwh, x.power_w);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, camera_state& x) {
  return f(caf::meta::type_name("camera_state"), x.people, x.vehicles);
}

} // namespace citytwin::twin
