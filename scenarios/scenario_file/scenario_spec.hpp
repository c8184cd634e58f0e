// scenarios/scenario_file/scenario_spec.hpp
#pragma once

#include "twin/civil_time.hpp"
#include "twin/entity_id.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace citytwin::scenarios {

/// A what-if scenario, fully resolved: every time is in seconds after the
/// scenario start, every place an entity number of the city's road graph.
/// `read_scenario` (scenario_reader.hpp) makes one from a scenario file
/// (format: data/scenarios/README.md) and has checked all of it against the
/// city; the simulator takes it as it is.

/// A span of scenario time `[from_s, to_s)`, `from_s <= to_s <= horizon_s`.
struct time_window {
  double from_s = 0;
  double to_s = 0;

  friend bool operator==(const time_window&, const time_window&) = default;
};

/// Periodic rerouting of vehicles on the way (notes/simulation.md §6.3:
/// the most important behavioural knob).
struct rerouting_spec {
  bool enabled = false;
  double period_s = 120; ///< how often a vehicle looks for a faster route
  double share = 1.0;    ///< fraction of vehicles that reroute, 0..1

  friend bool operator==(const rerouting_spec&, const rerouting_spec&)
      = default;
};

/// Where the everyday traffic of the scenario comes from.
enum class background_source : uint8_t {
  equilibrium,   ///< the city's usual demand, assigned in equilibrium
  live_counters, ///< today's traffic counters at the start time
  od_file,       ///< an origin-destination matrix file
};

/// The everyday traffic around the events.
struct background_spec {
  double level = 1.0; ///< multiplier of the background demand, 0..10
  background_source source = background_source::equilibrium;
  std::string od_file; ///< only for `od_file`; resolved, and it exists

  friend bool operator==(const background_spec&, const background_spec&)
      = default;
};

/// A car park serving an event. Cars enter and leave the road network at
/// `access`: an intersection, or a road segment (cars join at its start).
struct parking_area {
  std::string name;
  twin::entity_id access; ///< kind intersection or road_segment
  uint32_t spaces = 0;
  double exit_capacity_veh_h = 0; ///< > 0: how fast cars can leave

  friend bool operator==(const parking_area&, const parking_area&) = default;
};

/// A crowd coming to and leaving one place: a concert, a match.
struct event_spec {
  std::string name;
  uint32_t venue = 0; ///< intersection number
  uint64_t attendees = 0;
  /// When attendees arrive; absent: they are there at the start.
  std::optional<time_window> arrival;
  /// When they leave; absent: after the horizon.
  std::optional<time_window> departure;
  double car_share = 0; ///< fraction of attendees who come by car, 0..1
  double occupancy = 1; ///< persons per car, >= 1
  std::vector<parking_area> parking;
  /// Derived: ceil(attendees * car_share / occupancy).
  uint64_t cars = 0;

  friend bool operator==(const event_spec&, const event_spec&) = default;
};

/// Road segments closed to all traffic during `window`.
struct closure_spec {
  std::vector<uint32_t> segments; ///< sorted, no duplicates
  time_window window;

  friend bool operator==(const closure_spec&, const closure_spec&) = default;
};

/// Road segments with fewer lanes open during `window` (road works).
struct lane_reduction_spec {
  std::vector<uint32_t> segments; ///< sorted, no duplicates
  uint8_t lanes = 1; ///< lanes remaining, >= 1 and fewer than each has
  time_window window;

  friend bool operator==(const lane_reduction_spec&, const lane_reduction_spec&)
      = default;
};

/// Extra green time for one approach of a signalised intersection.
struct green_extension {
  uint32_t segment = 0; ///< a segment entering the intersection
  double extra_s = 0;   ///< seconds added to its green per cycle

  friend bool operator==(const green_extension&, const green_extension&)
      = default;
};

/// The share of the cycle one approach has green.
struct green_share {
  uint32_t segment = 0; ///< a segment entering the intersection
  double share = 0;     ///< 0..1; an intersection's shares add up to <= 1

  friend bool operator==(const green_share&, const green_share&) = default;
};

/// A changed signal plan at one intersection. Exactly one of `extensions`
/// and `shares` is non-empty.
struct signal_plan_spec {
  uint32_t intersection = 0;     ///< a signalised intersection
  std::optional<double> cycle_s; ///< new cycle length; absent: unchanged
  std::vector<green_extension> extensions;
  std::vector<green_share> shares;
  time_window window;

  friend bool operator==(const signal_plan_spec&, const signal_plan_spec&)
      = default;
};

/// A device out of order during `window`: a street lamp, a sensor, or the
/// signals of an intersection (dark, treated as all-way give way).
struct failure_spec {
  twin::entity_id entity;
  time_window window;

  friend bool operator==(const failure_spec&, const failure_spec&) = default;
};

/// A whole scenario.
struct scenario_spec {
  std::string name; ///< [A-Za-z0-9_-]+
  std::string description;
  std::string city; ///< the city's name; checked against the city
  /// The start as written: local civil time `YYYY-MM-DDTHH:MM[:SS]`.
  std::string start;
  twin::civil_date start_date;
  double start_s_of_day = 0; ///< seconds after local midnight, 0..86399
  double horizon_s = 0;      ///< 60 .. 172800 (1 min .. 48 h)
  uint64_t seed = 1;
  double step_s = 1;
  double output_interval_s = 300;
  rerouting_spec rerouting;
  background_spec background;
  std::vector<event_spec> events;
  std::vector<closure_spec> closures;
  std::vector<lane_reduction_spec> lane_reductions;
  std::vector<signal_plan_spec> signal_plans;
  std::vector<failure_spec> failures;
  /// Things that are allowed but probably not meant, `file:line: key:
  /// message`: more cars than parking spaces (the simulator counts those
  /// trips as unserved), a parking area far from its venue.
  std::vector<std::string> warnings;
};

} // namespace citytwin::scenarios
