// scenarios/scenario_file/scenario_checks.cpp: a scenario against its city:
// schedules, parking, signal plans and what closures do to the network.
#include "scenarios/scenario_file/scenario_parser.hpp"
#include "twin/geo.hpp"
#include "twin/text.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <set>
#include <unordered_set>

namespace citytwin::scenarios::detail {

namespace {

constexpr double s_per_hour = 3600;
// A car park farther than this from its venue is probably a typo.
constexpr double far_parking_m = 2000;
// Reachability searches per file; a planner's scenario needs a handful.
constexpr size_t max_searches = 10000;

using segment_set_t = std::unordered_set<uint32_t>;

// The intersections reachable from `start` (forward) or that can reach it
// (backward), not using `closed` segments.
std::unordered_set<uint32_t> reach(const twin::city_graph& g, uint32_t start,
                                   const segment_set_t& closed, bool forward) {
  std::unordered_set<uint32_t> result{start};
  std::deque<uint32_t> queue{start};
  while (!queue.empty()) {
    auto x = queue.front();
    queue.pop_front();
    auto segments = forward ? g.out_segments(x) : g.in_segments(x);
    for (auto s : segments) {
      if (closed.contains(s))
        continue;
      const auto* info = g.find_segment(s);
      auto next = forward ? info->to : info->from;
      if (result.insert(next).second)
        queue.push_back(next);
    }
  }
  return result;
}

std::string names_of(const std::vector<size_t>& active) {
  std::string result;
  for (auto i : active)
    result += (result.empty() ? "closures[" : ", closures[") + std::to_string(i)
              + "]";
  return result;
}

} // namespace

void scenario_parser::check_events() {
  std::map<std::string, size_t> names;
  for (size_t i = 0; i < result_.events.size(); ++i) {
    const auto& e = result_.events[i];
    const auto& src = event_sources_[i];
    if (auto [it, fresh] = names.emplace(e.name, i); !fresh)
      fields_.problem_at(src.self.line, child(src.self.path, "name"),
                         "event name " + shown(e.name) + " repeats "
                             + event_sources_[it->second].self.path);
    if (e.arrival && e.departure && e.departure->from_s < e.arrival->to_s)
      fields_.problem_at(src.departure.line, src.departure.path,
                         "the departure starts at " + when(e.departure->from_s)
                             + ", before the arrival ends at "
                             + when(e.arrival->to_s));
    uint64_t spaces = 0;
    double exit_veh_h = 0;
    const auto* venue = city_.roads.find_intersection(e.venue);
    for (size_t j = 0; j < e.parking.size(); ++j) {
      const auto& p = e.parking[j];
      spaces += p.spaces;
      exit_veh_h += p.exit_capacity_veh_h;
      auto access = p.access.number;
      if (p.access.kind == twin::entity_kind::road_segment)
        access = city_.roads.find_segment(access)->from;
      auto d = twin::distance_m(venue->where,
                                city_.roads.find_intersection(access)->where);
      if (d > far_parking_m)
        warn(src.parking[j].line, src.parking[j].path,
             "parking area " + shown(p.name) + " is "
                 + std::to_string(std::lround(d)) + " m from the venue");
    }
    if (e.cars > spaces)
      warn(src.self.line, src.self.path,
           std::to_string(e.cars)
               + " cars (attendees x car_share / "
                 "occupancy) but "
               + std::to_string(spaces)
               + " parking spaces: " + std::to_string(e.cars - spaces)
               + " trips will be counted as unserved");
    auto served = std::min<uint64_t>(e.cars, spaces);
    if (!e.departure || served == 0 || !horizon_ok_)
      continue;
    auto empty_s
        = std::max(e.departure->to_s,
                   e.departure->from_s
                       + static_cast<double>(served) / exit_veh_h * s_per_hour);
    if (empty_s > result_.horizon_s)
      fields_.problem_at(src.departure.line, src.departure.path,
                         "the horizon ends at " + when(result_.horizon_s)
                             + ", before the parking areas can empty: "
                             + std::to_string(served) + " cars at "
                             + twin::shortest(exit_veh_h)
                             + " veh/h leave until "
                             + when(std::ceil(empty_s)));
  }
}

void scenario_parser::check_signal_plans() {
  std::map<uint32_t, std::vector<size_t>> by_intersection;
  for (size_t i = 0; i < result_.signal_plans.size(); ++i) {
    const auto& plan = result_.signal_plans[i];
    auto& earlier = by_intersection[plan.intersection];
    for (auto j : earlier) {
      const auto& other = result_.signal_plans[j].window;
      if (plan.window.from_s < other.to_s && other.from_s < plan.window.to_s) {
        fields_.problem_at(
            plan_sources_[i].line, plan_sources_[i].path,
            "overlaps " + plan_sources_[j].path + " at intersection "
                + std::to_string(plan.intersection) + ": one plan at a time");
        break;
      }
    }
    earlier.push_back(i);
  }
}

void scenario_parser::check_network() {
  const auto num_segments = city_.roads.num_segments();
  if (num_segments == 0) {
    fields_.problem_at(root_line_, "city",
                       "city " + shown(city_.name)
                           + " has no road segments: nothing can move");
    return;
  }
  // Sweep the closures in time: +1 per segment at its start, -1 at its
  // end (ends first at equal times: a window is [from, to)).
  std::vector<std::tuple<double, int, size_t>> changes; // time, +-1, closure
  for (size_t i = 0; i < result_.closures.size(); ++i) {
    const auto& w = result_.closures[i].window;
    if (w.to_s <= w.from_s)
      continue;
    changes.emplace_back(w.from_s, 1, i);
    changes.emplace_back(w.to_s, -1, i);
  }
  std::sort(changes.begin(), changes.end());
  std::unordered_map<uint32_t, size_t> closed_count;
  size_t num_closed = 0;
  for (size_t k = 0; k < changes.size(); ++k) {
    auto [t, delta, i] = changes[k];
    for (auto s : result_.closures[i].segments) {
      auto& n = closed_count[s];
      if (delta > 0 && n++ == 0)
        ++num_closed;
      else if (delta < 0 && --n == 0)
        --num_closed;
    }
    bool last_at_t
        = k + 1 == changes.size() || std::get<0>(changes[k + 1]) != t;
    if (last_at_t && num_closed == num_segments) {
      fields_.problem_at(closure_sources_[i].line, closure_sources_[i].path,
                         "every road segment of the city is closed at "
                             + when(t) + ": nothing can move");
      break;
    }
  }
  for (size_t i = 0; i < result_.events.size(); ++i)
    check_event_reach(i);
}

void scenario_parser::check_event_reach(size_t index) {
  const auto& e = result_.events[index];
  const auto& src = event_sources_[index];
  const auto& g = city_.roads;
  const auto total = g.num_intersections();
  std::vector<time_window> parts;
  if (e.arrival)
    parts.push_back(*e.arrival);
  if (e.departure)
    parts.push_back(*e.departure);
  // The closures in force change only where one starts; between the
  // arrival and the departure nobody drives to or from the venue.
  std::set<double> moments;
  for (const auto& w : parts) {
    moments.insert(w.from_s);
    for (const auto& c : result_.closures)
      if (c.window.from_s > w.from_s && c.window.from_s < w.to_s)
        moments.insert(c.window.from_s);
  }
  std::vector<size_t> previous;
  bool first = true;
  std::vector<bool> parking_reported(e.parking.size(), false);
  for (auto t : moments) {
    std::vector<size_t> active;
    segment_set_t closed;
    for (size_t i = 0; i < result_.closures.size(); ++i) {
      const auto& w = result_.closures[i].window;
      if (w.from_s <= t && t < w.to_s) {
        active.push_back(i);
        closed.insert(result_.closures[i].segments.begin(),
                      result_.closures[i].segments.end());
      }
    }
    if (!first && active == previous)
      continue;
    first = false;
    previous = active;
    if (num_searches_ + 2 > max_searches) {
      warn(src.venue.line, src.venue.path,
           "not checked for closures: the file needs more than "
               + std::to_string(max_searches) + " reachability searches");
      return;
    }
    num_searches_ += 2;
    auto out = reach(g, e.venue, closed, true);
    auto in = reach(g, e.venue, closed, false);
    auto cause = active.empty() ? std::string{"even with no closures"}
                                : "while " + names_of(active) + " apply";
    if (2 * out.size() < total || 2 * in.size() < total) {
      bool leaving = 2 * out.size() < total;
      fields_.problem_at(
          src.venue.line, src.venue.path,
          "the venue (intersection " + std::to_string(e.venue)
              + ") is cut off from the network at " + when(t) + " " + cause
              + ": only " + std::to_string(leaving ? out.size() : in.size())
              + " of " + std::to_string(total) + " intersections "
              + (leaving ? "can be reached from it" : "can reach it"));
      return;
    }
    for (size_t j = 0; j < e.parking.size(); ++j) {
      const auto& p = e.parking[j];
      auto access = p.access.number;
      bool on_closed = false;
      if (p.access.kind == twin::entity_kind::road_segment) {
        on_closed = closed.contains(access);
        access = g.find_segment(access)->from;
      }
      if (parking_reported[j] || (!on_closed && out.contains(access)))
        continue;
      parking_reported[j] = true;
      fields_.problem_at(src.parking[j].line, src.parking[j].path,
                         "parking area " + shown(p.name)
                             + (on_closed ? " is on a closed road segment"
                                          : " cannot be reached from the venue")
                             + " at " + when(t) + " " + cause);
    }
  }
}

} // namespace citytwin::scenarios::detail
