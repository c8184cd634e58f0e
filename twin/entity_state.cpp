// twin/entity_state.cpp
#include "twin/entity_state.hpp"

#include "twin/error.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace citytwin::twin {

namespace {

// Thresholds for the derived attributes. Named here because they are
// domain choices, not physics; each is documented where it is used.
namespace threshold {
// Fraction of the speed limit separating the congestion levels (after the
// HCM level-of-service bands for urban streets: B/C, D/E, F).
constexpr double free_flow_speed = 0.70;
constexpr double moderate_speed = 0.50;
constexpr double heavy_speed = 0.25;
// A fill drop of this much between two readings is a collection, not noise.
constexpr double collection_drop = 0.30;
// A bin at or above this fill is reported full (drivers plan on it).
constexpr double bin_full = 0.90;
} // namespace threshold

uint8_t caqi_band(double pm10, double pm25) {
  // CAQI hourly grid for the background index: the band of the worse
  // pollutant. Upper bounds of bands 1..4 in µg/m³.
  constexpr double pm10_bounds[] = {25, 50, 90, 180};
  constexpr double pm25_bounds[] = {15, 30, 55, 110};
  uint8_t result = 5;
  for (uint8_t i = 0; i < 4; ++i)
    if (pm10 <= pm10_bounds[i] && pm25 <= pm25_bounds[i]) {
      result = i + 1;
      break;
    }
  return result;
}

congestion level_of(double speed, double limit) {
  double ratio = limit > 0 ? speed / limit : 1;
  if (ratio >= threshold::free_flow_speed)
    return congestion::free_flow;
  if (ratio >= threshold::moderate_speed)
    return congestion::moderate;
  if (ratio >= threshold::heavy_speed)
    return congestion::heavy;
  return congestion::jammed;
}

caf::error range_error(const reading& x, const std::string& why) {
  return caf::make_error(errc::out_of_range,
                         std::string{info(x.what).name} + " = "
                             + std::to_string(x.value) + ": " + why);
}

// Each overload applies a reading that already passed the generic checks
// (finite, accepted by the kind, inside the quantity's range). It returns
// an error for kind-specific violations, otherwise whether anything changed.
struct kind_apply {
  const reading& x;
  bool first; // first reading of this quantity: a change even if equal

  bool set(double& field) const {
    if (!first && field == x.value)
      return false;
    field = x.value;
    return true;
  }

  caf::expected<bool> operator()(road_segment_state& s) const {
    bool changed = false;
    switch (x.what) {
      case quantity::vehicle_flow:
        changed = set(s.flow_veh_h);
        break;
      case quantity::mean_speed:
        changed = set(s.speed_kmh);
        s.level = level_of(s.speed_kmh, s.speed_limit_kmh);
        break;
      default:
        changed = set(s.occupancy);
    }
    return changed;
  }

  caf::expected<bool> operator()(intersection_state& s) const {
    if (s.num_phases == 0)
      return range_error(x, "intersection has no signal");
    if (x.value != std::floor(x.value) || x.value >= s.num_phases)
      return range_error(x, "phase must be an integer below "
                                + std::to_string(s.num_phases));
    auto phase = static_cast<uint8_t>(x.value);
    if (!first && phase == s.phase)
      return false;
    if (!first)
      ++s.phase_changes;
    s.phase = phase;
    s.phase_since = x.time;
    return true;
  }

  caf::expected<bool> operator()(street_lamp_state& s) const {
    switch (x.what) {
      case quantity::dim_level: {
        // The lamp reporting the level it was commanded confirms the
        // command; that is news even when the twin already shows the level.
        bool confirms = s.command_pending
                        && std::abs(x.value - s.commanded_level)
                             <= dim_confirm_tolerance;
        if (confirms)
          s.command_pending = false;
        if (!set(s.dim_level))
          return confirms;
        bool on = s.dim_level > 0;
        if (on && !s.on)
          ++s.switch_count;
        s.on = on;
        // Without a metered power, estimate it from the dim level (LED
        // drivers are close to linear above their minimum).
        s.power_w = s.fault ? 0 : s.rated_power_w * s.dim_level;
        return true;
      }
      case quantity::lamp_fault: {
        if (x.value != 0 && x.value != 1)
          return range_error(x, "lamp_fault is 0 or 1");
        bool fault = x.value == 1;
        if (fault == s.fault)
          return false;
        s.fault = fault;
        s.power_w = s.fault ? 0 : s.rated_power_w * s.dim_level;
        return true;
      }
      default:
        return set(s.power_w);
    }
  }

  caf::expected<bool> operator()(waste_bin_state& s) const {
    if (x.what == quantity::temperature)
      return set(s.temperature);
    if (s.fill_level - x.value >= threshold::collection_drop) {
      ++s.collections;
      s.last_emptied = x.time;
    }
    bool changed = set(s.fill_level);
    s.full = s.fill_level >= threshold::bin_full;
    return changed;
  }

  caf::expected<bool> operator()(traffic_counter_state& s) const {
    switch (x.what) {
      case quantity::vehicle_flow:
        return set(s.flow_veh_h);
      case quantity::mean_speed:
        return set(s.speed_kmh);
      case quantity::occupancy:
        return set(s.occupancy);
      default:
        if (x.value != std::floor(x.value))
          return range_error(x, "a vehicle count is a whole number");
        s.vehicles_total += static_cast<uint64_t>(x.value);
        return x.value > 0;
    }
  }

  caf::expected<bool> operator()(air_quality_state& s) const {
    bool changed = false;
    switch (x.what) {
      case quantity::pm10:
        changed = set(s.pm10);
        break;
      case quantity::pm25:
        changed = set(s.pm25);
        break;
      case quantity::no2:
        return set(s.no2);
      case quantity::temperature:
        return set(s.temperature);
      default:
        return set(s.humidity);
    }
    s.band = caqi_band(s.pm10, s.pm25);
    return changed;
  }

  caf::expected<bool> operator()(noise_sensor_state& s) const {
    if (x.value > s.peak_dba)
      s.peak_dba = x.value;
    return set(s.level_dba);
  }

  caf::expected<bool> operator()(parking_sensor_state& s) const {
    if (x.value != std::floor(x.value) || x.value > s.capacity)
      return range_error(x, "free spaces must be a whole number up to "
                                + std::to_string(s.capacity));
    auto free = static_cast<uint32_t>(x.value);
    if (!first && free == s.free)
      return false;
    s.free = free;
    s.occupancy = s.capacity > 0 ? 1.0 - double(free) / s.capacity : 0;
    s.full = free == 0;
    return true;
  }

  caf::expected<bool> operator()(energy_meter_state& s) const {
    if (x.what == quantity::power)
      return set(s.power_w);
    if (x.value < s.energy_kwh)
      return range_error(x, "energy register ran backwards from "
                                + std::to_string(s.energy_kwh));
    return set(s.energy_kwh);
  }

  caf::expected<bool> operator()(camera_state& s) const {
    if (x.value != std::floor(x.value))
      return range_error(x, "a count is a whole number");
    auto count = static_cast<uint32_t>(x.value);
    auto& field = x.what == quantity::people_count ? s.people : s.vehicles;
    if (!first && field == count)
      return false;
    field = count;
    return true;
  }
};

} // namespace

kind_state make_kind_state(entity_kind kind) {
  switch (kind) {
    case entity_kind::road_segment:
      return road_segment_state{};
    case entity_kind::intersection:
      return intersection_state{};
    case entity_kind::street_lamp:
      return street_lamp_state{};
    case entity_kind::waste_bin:
      return waste_bin_state{};
    case entity_kind::traffic_counter:
      return traffic_counter_state{};
    case entity_kind::air_quality:
      return air_quality_state{};
    case entity_kind::noise_sensor:
      return noise_sensor_state{};
    case entity_kind::parking_sensor:
      return parking_sensor_state{};
    case entity_kind::energy_meter:
      return energy_meter_state{};
    case entity_kind::camera:
      return camera_state{};
  }
  return road_segment_state{};
}

entity_state make_state(entity_id id) {
  return entity_state{id, 0, 0, 0, make_kind_state(id.kind)};
}

caf::expected<uint32_t> apply(entity_state& state, const reading& x) {
  if (!accepts(state.id.kind, x.what))
    return caf::make_error(errc::wrong_quantity,
                           std::string{to_string(state.id.kind)}
                               + " has no quantity "
                               + std::string{info(x.what).name});
  if (!std::isfinite(x.value))
    return caf::make_error(errc::not_finite,
                           std::string{info(x.what).name} + " is not finite");
  const auto& q = info(x.what);
  if (x.value < q.min || x.value > q.max)
    return range_error(x, "outside [" + std::to_string(q.min) + ", "
                              + std::to_string(q.max) + "]");
  // Equal times are fine: a sensor reports several quantities at once.
  if (x.time < state.updated)
    return caf::make_error(errc::stale_reading,
                           std::string{q.name} + " at " + std::to_string(x.time)
                               + " is older than "
                               + std::to_string(state.updated));
  bool first = (state.seen & bit(x.what)) == 0;
  // The same value of the same quantity at the same time again: a
  // duplicate (a QoS 1 redelivery, a cluster's replay after a shard
  // moved), neither applied nor counted.
  if (!first && x.time == state.updated)
    if (auto now = value_of(state, x.what); now && *now == x.value)
      return uint32_t{0};
  auto changed = std::visit(kind_apply{x, first}, state.detail);
  if (!changed)
    return std::move(changed.error());
  state.updated = x.time;
  state.seen |= bit(x.what);
  ++state.num_applied;
  return *changed ? bit(x.what) : uint32_t{0};
}

caf::expected<double> value_of(const entity_state& state, quantity q) {
  for (const auto& attr : attributes(state))
    if (attr.name == info(q).name)
      return attr.value;
  return caf::make_error(errc::wrong_quantity,
                         std::string{to_string(state.id.kind)}
                             + " has no quantity " + std::string{info(q).name});
}

std::vector<attribute> attributes(const entity_state& state) {
  struct visitor {
    std::vector<attribute> operator()(const road_segment_state& s) const {
      return {{"vehicle_flow", s.flow_veh_h},
              {"mean_speed", s.speed_kmh},
              {"occupancy", s.occupancy},
              {"congestion", double(static_cast<uint8_t>(s.level))},
              {"speed_limit_kmh", s.speed_limit_kmh},
              {"capacity_veh_h", s.capacity_veh_h}};
    }
    std::vector<attribute> operator()(const intersection_state& s) const {
      std::vector<attribute> result{
        {"signal_phase", double(s.phase)},
        {"num_phases", double(s.num_phases)},
        {"phase_changes", double(s.phase_changes)},
        {"phase_since", double(s.phase_since)},
        {"signal_mode", double(static_cast<uint8_t>(s.mode))},
        {"commands", double(s.commands)},
        {"last_command", double(s.last_command)}};
      // Green time per phase of the commanded plan (0: the light's own
      // timing), so every light shows the same attributes whatever it was
      // told.
      static constexpr std::array<std::string_view, max_plan_phases> green
        = {"green_time_0", "green_time_1", "green_time_2", "green_time_3",
           "green_time_4", "green_time_5", "green_time_6", "green_time_7"};
      for (size_t i = 0; i < std::min<size_t>(s.num_phases, max_plan_phases);
           ++i)
        result.push_back({green[i], double(s.green_s[i])});
      return result;
    }
    std::vector<attribute> operator()(const street_lamp_state& s) const {
      return {{"dim_level", s.dim_level},
              {"lamp_fault", s.fault ? 1.0 : 0.0},
              {"power", s.power_w},
              {"on", s.on ? 1.0 : 0.0},
              {"switch_count", double(s.switch_count)},
              {"rated_power_w", s.rated_power_w},
              {"commands", double(s.commands)},
              {"last_command", double(s.last_command)},
              {"command_pending", s.command_pending ? 1.0 : 0.0}};
    }
    std::vector<attribute> operator()(const waste_bin_state& s) const {
      return {{"fill_level", s.fill_level},
              {"temperature", s.temperature},
              {"full", s.full ? 1.0 : 0.0},
              {"collections", double(s.collections)},
              {"last_emptied", double(s.last_emptied)},
              {"capacity_l", s.capacity_l}};
    }
    std::vector<attribute> operator()(const traffic_counter_state& s) const {
      return {{"vehicle_flow", s.flow_veh_h},
              {"mean_speed", s.speed_kmh},
              {"occupancy", s.occupancy},
              {"vehicle_count", double(s.vehicles_total)}};
    }
    std::vector<attribute> operator()(const air_quality_state& s) const {
      return {{"pm10", s.pm10},         {"pm25", s.pm25},
              {"no2", s.no2},           {"temperature", s.temperature},
              {"humidity", s.humidity}, {"caqi_band", double(s.band)}};
    }
    std::vector<attribute> operator()(const noise_sensor_state& s) const {
      return {{"noise_level", s.level_dba}, {"peak_level", s.peak_dba}};
    }
    std::vector<attribute> operator()(const parking_sensor_state& s) const {
      return {{"free_spaces", double(s.free)},
              {"occupancy", s.occupancy},
              {"full", s.full ? 1.0 : 0.0},
              {"capacity", double(s.capacity)}};
    }
    std::vector<attribute> operator()(const energy_meter_state& s) const {
      return {{"energy", s.energy_kwh}, {"power", s.power_w}};
    }
    std::vector<attribute> operator()(const camera_state& s) const {
      return {{"people_count", double(s.people)},
              {"vehicle_count", double(s.vehicles)}};
    }
  };
  return std::visit(visitor{}, state.detail);
}

} // namespace citytwin::twin
