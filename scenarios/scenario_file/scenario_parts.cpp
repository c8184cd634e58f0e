// scenarios/scenario_file/scenario_parts.cpp: the lists of a scenario
// file: events with their parking areas, closures, lane reductions, signal
// plans and failures.
#include "scenarios/scenario_file/scenario_parser.hpp"
#include "scenarios/scenario_file/scenario_reader.hpp"
#include "scenarios/scenario_file/scenario_time.hpp"
#include "twin/geo.hpp"
#include "twin/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace citytwin::scenarios::detail {

namespace {

constexpr size_t max_name_bytes = 64;
constexpr uint64_t max_attendees = 10'000'000;
constexpr double max_occupancy = 10; // persons per car
constexpr uint64_t max_spaces = 1'000'000;
constexpr double max_exit_capacity_veh_h = 100'000;
constexpr uint64_t max_lanes = 16; // as city files
constexpr double min_cycle_s = 20;
constexpr double max_cycle_s = 300;
constexpr double max_extension_s = 120;
constexpr size_t max_listed_numbers = 5;

std::string numbers_text(const std::vector<uint32_t>& numbers) {
  std::string result;
  for (size_t i = 0; i < numbers.size() && i < max_listed_numbers; ++i)
    result += (i == 0 ? "" : ", ") + std::to_string(numbers[i]);
  if (numbers.size() > max_listed_numbers)
    result += " (and " + std::to_string(numbers.size() - max_listed_numbers)
              + " more)";
  return result;
}

} // namespace

void scenario_parser::read_event(const YAML::Node& n, const std::string& path) {
  if (!fields_.check_map(
          n, path,
          {"name", "venue", "attendees", "arrival", "departure", "car_share",
           "occupancy", "parking"},
          {"name", "venue", "attendees", "car_share", "occupancy"}))
    return;
  event_spec e;
  event_source src;
  src.self = {line_of(n), path};
  bool ok = true;
  auto take = [&ok](const auto& value, auto& out) {
    if (value)
      out = *value;
    else
      ok = false;
  };
  take(fields_.text(n["name"], child(path, "name"), max_name_bytes), e.name);
  if (const auto& v = n["venue"]; v) {
    auto venue_path = child(path, "venue");
    src.venue = {line_of(v), venue_path};
    if (fields_.check_map(v, venue_path,
                          {"intersection", "lon", "lat", "snap_m"}, {})) {
      auto where = place(v, venue_path, "venue", false);
      ok = ok && where.has_value();
      if (where)
        e.venue = where->number;
    } else {
      ok = false;
    }
  }
  take(
      fields_.whole(n["attendees"], child(path, "attendees"), 1, max_attendees),
      e.attendees);
  if (!n["arrival"] && !n["departure"]) {
    fields_.problem(n, path, "needs 'arrival', 'departure' or both");
    ok = false;
  }
  if (const auto& v = n["arrival"]; v) {
    src.arrival = {line_of(v), child(path, "arrival")};
    e.arrival = window(v, src.arrival.path, false);
    ok = ok && e.arrival.has_value();
  }
  if (const auto& v = n["departure"]; v) {
    src.departure = {line_of(v), child(path, "departure")};
    e.departure = window(v, src.departure.path, false);
    ok = ok && e.departure.has_value();
  }
  take(fields_.number(n["car_share"], child(path, "car_share"), 0, 1),
       e.car_share);
  take(fields_.number(n["occupancy"], child(path, "occupancy"), 1,
                      max_occupancy),
       e.occupancy);
  size_t i = 0;
  auto parking_path = child(path, "parking");
  for (const auto& p :
       fields_.list(n["parking"], parking_path, max_scenario_list_entries)) {
    auto before = problems_.size();
    read_parking(p, element(parking_path, i++), e, src);
    ok = ok && problems_.size() == before;
  }
  std::set<std::string> names;
  for (size_t j = 0; j < e.parking.size(); ++j)
    if (!names.insert(e.parking[j].name).second) {
      fields_.problem_at(src.parking[j].line, src.parking[j].path,
                         "parking area name " + shown(e.parking[j].name)
                             + " repeats");
      ok = false;
    }
  if (!ok)
    return;
  // The relative epsilon keeps 20000 * 0.3 / 1.2 from rounding up to 5001.
  constexpr double rounding_slack = 1e-9;
  auto cars = static_cast<double>(e.attendees) * e.car_share / e.occupancy;
  e.cars = static_cast<uint64_t>(std::ceil(cars * (1 - rounding_slack)));
  result_.events.push_back(std::move(e));
  event_sources_.push_back(std::move(src));
}

void scenario_parser::read_parking(const YAML::Node& n, const std::string& path,
                                   event_spec& event, event_source& source) {
  if (!fields_.check_map(n, path,
                         {"name", "intersection", "segment", "lon", "lat",
                          "snap_m", "spaces", "exit_capacity_veh_h"},
                         {"name", "spaces", "exit_capacity_veh_h"}))
    return;
  parking_area p;
  auto name = fields_.text(n["name"], child(path, "name"), max_name_bytes);
  auto where = place(n, path, "parking area", true);
  auto spaces
      = fields_.whole(n["spaces"], child(path, "spaces"), 1, max_spaces);
  // A value and a flag rather than the optional: g++ 12 takes a reset
  // optional for uninitialised where it is read (-Wmaybe-uninitialized).
  auto exit = fields_.number(n["exit_capacity_veh_h"],
                             child(path, "exit_capacity_veh_h"), 0,
                             max_exit_capacity_veh_h);
  bool exit_ok = exit.has_value();
  p.exit_capacity_veh_h = exit.value_or(0);
  if (exit_ok && p.exit_capacity_veh_h <= 0) {
    fields_.problem(n["exit_capacity_veh_h"],
                    child(path, "exit_capacity_veh_h"),
                    "must be more than 0: cars could never leave");
    exit_ok = false;
  }
  if (!name || !where || !spaces || !exit_ok)
    return;
  p.name = *name;
  p.access = *where;
  p.spaces = static_cast<uint32_t>(*spaces);
  event.parking.push_back(std::move(p));
  source.parking.push_back({line_of(n), path});
}

void scenario_parser::read_closure(const YAML::Node& n,
                                   const std::string& path) {
  if (!fields_.check_map(n, path, {"segment", "segments", "name", "window"},
                         {}))
    return;
  auto segments = segment_set(n, path);
  auto w = window(n["window"], child(path, "window"), true);
  if (!segments || !w)
    return;
  result_.closures.push_back({std::move(*segments), *w});
  closure_sources_.push_back({line_of(n), path});
}

void scenario_parser::read_lane_reduction(const YAML::Node& n,
                                          const std::string& path) {
  if (!fields_.check_map(n, path,
                         {"segment", "segments", "name", "lanes", "window"},
                         {"lanes"}))
    return;
  auto segments = segment_set(n, path);
  auto lanes
      = fields_.whole(n["lanes"], child(path, "lanes"), 1, max_lanes - 1);
  auto w = window(n["window"], child(path, "window"), true);
  if (!segments || !lanes || !w)
    return;
  std::vector<uint32_t> too_narrow;
  for (auto s : *segments)
    if (city_.roads.find_segment(s)->lanes <= *lanes)
      too_narrow.push_back(s);
  if (!too_narrow.empty()) {
    fields_.problem(n["lanes"], child(path, "lanes"),
                    std::to_string(*lanes)
                        + " lane(s) is no reduction: road "
                          "segment(s) "
                        + numbers_text(too_narrow)
                        + " have no more lanes than that");
    return;
  }
  result_.lane_reductions.push_back(
      {std::move(*segments), static_cast<uint8_t>(*lanes), *w});
}

void scenario_parser::read_signal_plan(const YAML::Node& n,
                                       const std::string& path) {
  if (!fields_.check_map(
          n, path,
          {"intersection", "cycle", "extend_green", "green_share", "window"},
          {"intersection"}))
    return;
  signal_plan_spec plan;
  bool ok = true;
  auto at = intersection(n["intersection"], child(path, "intersection"));
  if (at && city_.roads.find_intersection(*at)->num_phases == 0) {
    fields_.problem(n["intersection"], child(path, "intersection"),
                    "intersection " + std::to_string(*at)
                        + " has no traffic signals");
    at.reset();
  }
  ok = at.has_value();
  if (at)
    plan.intersection = *at;
  if (n["cycle"]) {
    plan.cycle_s = fields_.duration(n["cycle"], child(path, "cycle"),
                                    min_cycle_s, max_cycle_s);
    ok = ok && plan.cycle_s.has_value();
  }
  if (n["extend_green"].IsDefined() == n["green_share"].IsDefined()) {
    fields_.problem(n, path,
                    "needs exactly one of 'extend_green' and 'green_share'");
    ok = false;
  }
  // An approach: a segment that enters this intersection, named once.
  std::set<uint32_t> approaches;
  auto approach = [&](const YAML::Node& v, const std::string& p) {
    auto s = segment(v, p);
    if (!s || !at)
      return std::optional<uint32_t>{};
    if (city_.roads.find_segment(*s)->to != *at) {
      fields_.problem(v, p,
                      "road segment " + std::to_string(*s)
                          + " does not enter intersection "
                          + std::to_string(*at));
      return std::optional<uint32_t>{};
    }
    if (!approaches.insert(*s).second) {
      fields_.problem(v, p,
                      "road segment " + std::to_string(*s) + " is named twice");
      return std::optional<uint32_t>{};
    }
    return s;
  };
  if (const auto& v = n["extend_green"]; v) {
    auto base = child(path, "extend_green");
    // One approach as a map, or several as a list of maps.
    std::vector<YAML::Node> items{v};
    if (v.IsSequence())
      items = fields_.list(v, base, max_scenario_list_entries);
    if (v.IsSequence() && v.size() == 0)
      fields_.problem(v, base, "must not be empty");
    ok = ok && !items.empty();
    for (size_t i = 0; i < items.size(); ++i) {
      auto p = v.IsSequence() ? element(base, i) : base;
      if (!fields_.check_map(items[i], p, {"segment", "seconds"},
                             {"segment", "seconds"})) {
        ok = false;
        continue;
      }
      auto s = approach(items[i]["segment"], child(p, "segment"));
      // A value and a flag, as for exit capacities above.
      auto extra = fields_.number(items[i]["seconds"], child(p, "seconds"), 1,
                                  max_extension_s);
      bool extra_ok = extra.has_value();
      double extra_s = extra.value_or(0);
      if (extra_ok && plan.cycle_s && extra_s >= *plan.cycle_s) {
        fields_.problem(items[i]["seconds"], child(p, "seconds"),
                        "must be shorter than the cycle ("
                            + twin::shortest(*plan.cycle_s) + " s)");
        extra_ok = false;
      }
      ok = ok && s && extra_ok;
      if (s && extra_ok)
        plan.extensions.push_back({*s, extra_s});
    }
  }
  if (const auto& v = n["green_share"]; v) {
    auto base = child(path, "green_share");
    auto items = fields_.list(v, base, max_scenario_list_entries);
    ok = ok && v.IsSequence() && !items.empty();
    if (v.IsSequence() && items.empty())
      fields_.problem(v, base, "must not be empty");
    double total = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      auto p = element(base, i);
      if (!fields_.check_map(items[i], p, {"segment", "share"},
                             {"segment", "share"})) {
        ok = false;
        continue;
      }
      auto s = approach(items[i]["segment"], child(p, "segment"));
      auto share = fields_.number(items[i]["share"], child(p, "share"), 0, 1);
      ok = ok && s && share;
      if (s && share) {
        plan.shares.push_back({*s, *share});
        total += *share;
      }
    }
    // Shares are written with a few decimals; 1e-9 forgives their sum.
    constexpr double share_slack = 1e-9;
    if (total > 1 + share_slack) {
      fields_.problem(v, base,
                      "the green shares add up to " + twin::shortest(total)
                          + ", more than the whole cycle (1)");
      ok = false;
    }
  }
  auto w = window(n["window"], child(path, "window"), true);
  if (!ok || !w)
    return;
  plan.window = *w;
  result_.signal_plans.push_back(std::move(plan));
  plan_sources_.push_back({line_of(n), path});
}

void scenario_parser::read_failure(const YAML::Node& n,
                                   const std::string& path) {
  if (!fields_.check_map(n, path, {"entity", "kind", "number", "window"}, {}))
    return;
  auto id = device(n, path);
  auto w = window(n["window"], child(path, "window"), true);
  if (!id || !w)
    return;
  result_.failures.push_back({*id, *w});
}

} // namespace citytwin::scenarios::detail
