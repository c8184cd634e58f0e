// twin/import/sumo_signals.cpp
#include "twin/import/sumo_signals.hpp"

#include "twin/text.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <set>
#include <unordered_map>

namespace citytwin::twin::import {

double sumo_tl_logic::cycle_s() const {
  double result = 0;
  for (const auto& p : phases)
    result += p.duration_s;
  return result;
}

std::optional<double>
sumo_network::route_length_m(const std::vector<uint32_t>& segments) const {
  double result = 0;
  for (size_t k = 0; k < segments.size(); ++k) {
    const auto* s = roads.find_segment(segments[k]);
    if (s == nullptr)
      return std::nullopt;
    result += s->length_m;
    if (k == 0)
      continue;
    auto turn
        = turn_length_m.find(uint64_t{segments[k - 1]} << 32 | segments[k]);
    if (turn == turn_length_m.end())
      return std::nullopt;
    result += turn->second;
  }
  return result;
}

} // namespace citytwin::twin::import

namespace citytwin::twin::import::detail {

namespace {

// The twin's intersection record holds at most 63 phases (city_file).
constexpr size_t max_phases = 63;

// Link states in which a vehicle may enter the junction: green major (G)
// and minor (g), green after stopping (s: right turn on red), and signal
// off (O, o). Yellow (y), red (r) and red-yellow (u) count as lost time:
// HCM's effective green g = G + Y + AR - l1 - l2 = G + e - l1 equals the
// displayed green for the default start-up loss l1 = 2 s and yellow
// extension e = 2 s.
bool usable(char state) {
  return state == 'G' || state == 'g' || state == 's' || state == 'O'
         || state == 'o';
}

// Share of a program's cycle in which at least one of `links` may go.
double usable_share(const sumo_tl_logic& program,
                    const std::vector<int>& links) {
  double result = 0;
  for (const auto& phase : program.phases)
    for (int k : links)
      if (k >= 0 && static_cast<size_t>(k) < phase.state.size()
          && usable(phase.state[k])) {
        result += phase.duration_s;
        break;
      }
  return result / program.cycle_s();
}

class signal_sizer {
public:
  explicit signal_sizer(sumo_network& net) : net_(net) {
    leaving_.resize(net.roads.num_segments());
    for (const auto& c : net.connections)
      leaving_[c.from_segment].push_back(&c);
  }

  const sumo_tl_logic* program(const std::string& tl) const {
    if (tl.empty())
      return nullptr;
    auto i = net_.active_program.find(tl);
    return i == net_.active_program.end() ? nullptr
                                          : &net_.tl_logics[i->second];
  }

  // Capacity of segment `s` (veh/h); updates its details and the report.
  double size(uint32_t s, uint8_t lanes) {
    auto& d = net_.segment_details[s];
    const auto& opts = net_.options;
    auto& r = net_.report;
    // Car-free segments (bus lanes, paths) keep a capacity on all their
    // lanes: the twin's records need one, and their own users have it.
    uint16_t all = static_cast<uint16_t>((1u << lanes) - 1);
    uint16_t mask = d.car_lanes > 0 ? d.car_lane_mask : all;
    auto num_lanes = std::popcount(mask);
    const sumo_tl_logic* controlling = nullptr;
    for (const auto* c : leaving_[s])
      if ((controlling = program(c->tl)) != nullptr)
        break;
    d.signalised = controlling != nullptr;
    if (!d.signalised) {
      d.green_share = 1;
      d.cycle_s = 0;
      r.num_priority_segments += d.priority ? 1 : 0;
      return num_lanes
             * (d.priority ? opts.priority_lane_capacity_veh_h
                           : opts.other_lane_capacity_veh_h);
    }
    ++r.num_signalised_segments;
    double sum = 0;
    for (int lane = 0; lane < lanes; ++lane)
      if (mask & (1u << lane))
        sum += lane_share(s, lane);
    d.green_share = sum / num_lanes;
    d.cycle_s = controlling->cycle_s();
    return sum * opts.priority_lane_capacity_veh_h;
  }

private:
  // g/C of one lane: the share of the cycle in which one of its links may
  // go. A link no loaded program holds is always usable; a lane without
  // links cannot leave the segment here and adds nothing.
  double lane_share(uint32_t s, int lane) {
    std::map<const sumo_tl_logic*, std::vector<int>> by_program;
    for (const auto* c : leaving_[s]) {
      if (c->from_lane != lane)
        continue;
      const auto* p = program(c->tl);
      if (p == nullptr)
        return 1;
      by_program[p].push_back(c->link_index);
    }
    if (by_program.empty())
      ++net_.report.num_dead_end_signalised_lanes;
    double result = 0;
    for (const auto& [p, links] : by_program)
      result = std::max(result, usable_share(*p, links));
    return result;
  }

  sumo_network& net_;
  std::vector<std::vector<const sumo_connection*>> leaving_;
};

std::optional<std::string_view> need(const xml_element& e, std::string_view key,
                                     const problem_sink& problem) {
  auto result = e.attribute(key);
  if (!result)
    problem(e.line(),
            "<" + std::string{e.name()} + "> lacks '" + std::string{key} + "'");
  return result;
}

bool number(const xml_element& e, std::string_view key, double& out,
            const problem_sink& problem) {
  auto text = need(e, key, problem);
  if (!text)
    return false;
  if (parse_number(*text, out))
    return true;
  problem(e.line(), "<" + std::string{e.name()} + "> attribute '"
                        + std::string{key} + "' is not a number: '"
                        + std::string{*text} + "'");
  return false;
}

} // namespace

std::optional<sumo_tl_logic> read_tl_logic(const xml_element& e,
                                           std::string_view file,
                                           const problem_sink& problem) {
  auto id = need(e, "id", problem);
  if (!id)
    return std::nullopt;
  sumo_tl_logic result;
  result.id = *id;
  result.program_id = e.attribute_or("programID", "");
  result.type = e.attribute_or("type", "static");
  result.source = std::string{file} + ":" + std::to_string(e.line());
  if (e.attribute("offset") && !number(e, "offset", result.offset_s, problem))
    return std::nullopt;
  return result;
}

std::optional<sumo_phase> read_phase(const xml_element& e,
                                     const problem_sink& problem) {
  sumo_phase result;
  bool ok = number(e, "duration", result.duration_s, problem);
  if (auto state = need(e, "state", problem))
    result.state = *state;
  else
    ok = false;
  return ok ? std::optional{std::move(result)} : std::nullopt;
}

void check_programs(const sumo_network& net, size_t first,
                    std::vector<std::string>& problems,
                    std::vector<std::string>& warnings) {
  std::unordered_map<std::string, int> max_link;
  for (const auto& c : net.connections)
    if (!c.tl.empty())
      max_link[c.tl] = std::max(max_link[c.tl], c.link_index);
  std::set<std::pair<std::string, std::string>> loaded;
  for (size_t i = 0; i < first; ++i)
    loaded.emplace(net.tl_logics[i].id, net.tl_logics[i].program_id);
  for (size_t i = first; i < net.tl_logics.size(); ++i) {
    const auto& p = net.tl_logics[i];
    auto what
        = p.source + ": tlLogic '" + p.id + "' program '" + p.program_id + "'";
    if (!loaded.emplace(p.id, p.program_id).second)
      problems.push_back(what
                         + " is loaded twice (SUMO refuses another "
                           "logic with the same id and programID)");
    if (p.phases.empty() || !(p.cycle_s() > 0)) {
      problems.push_back(what + " has no phase with a positive duration");
      continue;
    }
    if (auto m = max_link.find(p.id); m != max_link.end())
      for (const auto& phase : p.phases)
        if (phase.state.size() <= static_cast<size_t>(m->second)) {
          problems.push_back(what + " has a phase of "
                             + std::to_string(phase.state.size())
                             + " links, but a connection uses linkIndex "
                             + std::to_string(m->second));
          break;
        }
    if (p.phases.size() > max_phases)
      warnings.push_back(what + " has " + std::to_string(p.phases.size())
                         + " phases; the twin keeps 63");
  }
}

void apply_signals(sumo_network& net) {
  net.active_program.clear();
  for (size_t i = 0; i < net.tl_logics.size(); ++i)
    net.active_program[net.tl_logics[i].id] = i; // the last loaded wins
  auto& r = net.report;
  r.num_priority_segments = 0;
  r.num_signalised_segments = 0;
  r.num_dead_end_signalised_lanes = 0;
  r.num_joined_signals = 0;
  r.num_tl_logics = net.tl_logics.size();
  signal_sizer sizer{net};
  city_graph roads;
  std::unordered_map<std::string, size_t> junctions_of_tl;
  for (const auto& tl : net.junction_tl)
    if (!tl.empty())
      ++junctions_of_tl[tl];
  for (uint32_t i = 0; i < net.roads.num_intersections(); ++i) {
    auto info = *net.roads.find_intersection(i);
    const auto& tl = net.junction_tl[i];
    const auto* p = sizer.program(tl);
    info.num_phases
        = p == nullptr
              ? 0
              : static_cast<uint8_t>(std::min(p->phases.size(), max_phases));
    if (p != nullptr && junctions_of_tl[tl] > 1)
      ++r.num_joined_signals;
    roads.add_intersection(info);
  }
  for (uint32_t i = 0; i < net.roads.num_segments(); ++i) {
    auto info = *net.roads.find_segment(i);
    info.capacity_veh_h = sizer.size(i, info.lanes);
    roads.add_segment(std::move(info));
  }
  net.roads = std::move(roads);
}

} // namespace citytwin::twin::import::detail
