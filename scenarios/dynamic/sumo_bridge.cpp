// scenarios/dynamic/sumo_bridge.cpp
#include "scenarios/dynamic/sumo_bridge.hpp"

#include "twin/error.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <unordered_map>

namespace citytwin::scenarios::dynamic {

namespace {

bool shows_green(char c, bool yellow_is_green) {
  return c == 'G' || c == 'g' || c == 's' || c == 'O' || c == 'o'
         || (yellow_is_green && (c == 'y' || c == 'Y'));
}

} // namespace

road_network make_road_network(const twin::import::sumo_network& net,
                               const sumo_bridge_options& opts) {
  road_network result;
  const auto segs = net.roads.segments();
  // The importer sizes lanes at 1800 veh/h saturation (900 when
  // yielding); the model's saturation scales all of them alike.
  auto scale = opts.saturation_veh_h_lane / 1800.0;
  for (auto* s : segs)
    result.add_link(s->from, s->to, s->number, static_cast<float>(s->length_m),
                    static_cast<float>(s->speed_limit_kmh / 3.6),
                    static_cast<float>(s->capacity_veh_h * scale), s->lanes);
  for (auto* s : segs) {
    if (s->number < net.segment_details.size()) {
      const auto& d = net.segment_details[s->number];
      result.extra_length_m[s->number]
        = static_cast<float>(d.junction_length_m);
      result.yields[s->number] = !d.priority && !d.signalised;
      if (d.car_lanes > 0) // buses-only lanes store no cars
        result.storage_veh[s->number] = std::max(
          1.0f, static_cast<float>(std::floor(s->length_m * d.car_lanes
                                              / jam_spacing_m)));
    }
  }
  for (auto* i : net.roads.intersections())
    if (i->number >= result.num_nodes)
      result.num_nodes = i->number + 1;
  result.finish();
  for (auto* i : net.roads.intersections()) {
    result.node_x[i->number] = i->where.lon;
    result.node_y[i->number] = i->where.lat;
  }
  // The active program of each tl id: as in SUMO, the one loaded last.
  std::unordered_map<std::string, const twin::import::sumo_tl_logic*> logic;
  for (const auto& [id, index] : net.active_program)
    logic.emplace(id, &net.tl_logics[index]);
  // Per link: the controlling program and its link indices.
  std::map<uint32_t, std::pair<const twin::import::sumo_tl_logic*,
                               std::vector<int>>> controlled;
  for (const auto& c : net.connections) {
    if (c.tl.empty() || c.link_index < 0)
      continue;
    auto it = logic.find(c.tl);
    if (it == logic.end())
      continue;
    auto& entry = controlled[c.from_segment];
    entry.first = it->second;
    entry.second.push_back(c.link_index);
  }
  for (auto& [seg, entry] : controlled) {
    auto link = seg; // links are numbered as segments (file order)
    const auto& tl = *entry.first;
    signal_gate g;
    g.offset_s = static_cast<float>(tl.offset_s);
    g.first_interval = static_cast<uint32_t>(result.green_intervals.size());
    double t = 0;
    bool open = false;
    double open_since = 0;
    for (const auto& phase : tl.phases) {
      bool green = false;
      for (auto index : entry.second)
        if (index < static_cast<int>(phase.state.size())
            && shows_green(phase.state[static_cast<size_t>(index)],
                           opts.yellow_is_green))
          green = true;
      if (green && !open) {
        open = true;
        open_since = t;
      } else if (!green && open) {
        open = false;
        result.green_intervals.push_back(
          {static_cast<float>(open_since), static_cast<float>(t)});
      }
      t += phase.duration_s;
    }
    if (open)
      result.green_intervals.push_back(
        {static_cast<float>(open_since), static_cast<float>(t)});
    g.cycle_s = static_cast<float>(t);
    g.num_intervals = static_cast<uint32_t>(result.green_intervals.size())
                      - g.first_interval;
    if (g.cycle_s <= 0)
      continue;
    result.gate[link] = static_cast<uint32_t>(result.gates.size());
    result.gates.push_back(g);
    // The link flows while any of its turns is green (one queue per link),
    // at the rate that gives the importer's mean capacity, the sum over
    // its car lanes of saturation x that lane's own g/C.
    const auto& details = net.segment_details[seg];
    auto lanes = details.car_lanes > 0 ? details.car_lanes : result.lanes[link];
    auto union_share = result.green_share(result.gate[link]);
    auto mean_share = std::min(details.green_share, union_share);
    result.discharge_veh_s[link] = static_cast<float>(
      lanes * opts.saturation_veh_h_lane / 3600.0 * mean_share
      / std::max(union_share, 1e-3));
  }
  return result;
}

caf::expected<demand> make_demand(const twin::import::sumo_demand& dem,
                                  const twin::import::sumo_network& net) {
  demand result;
  std::vector<std::string> problems;
  auto link_of = [&](const std::string& edge) -> uint32_t {
    auto it = net.segment_by_edge.find(edge);
    if (it == net.segment_by_edge.end()) {
      if (problems.size() < 20)
        problems.push_back("unknown edge " + edge);
      return none;
    }
    return it->second;
  };
  std::vector<uint32_t> route;
  for (const auto& d : dem.departures) {
    route.clear();
    if (d.route >= 0) {
      for (const auto& e : dem.routes[static_cast<size_t>(d.route)])
        route.push_back(link_of(e));
    } else {
      route.push_back(link_of(d.from_edge));
      route.push_back(link_of(d.to_edge));
    }
    if (std::find(route.begin(), route.end(), none) != route.end()
        || route.empty())
      continue;
    if (d.route >= 0)
      result.add_routed(d.depart_s, route);
    else
      result.add_open(d.depart_s, route.front(), route.back());
  }
  if (!problems.empty()) {
    std::string text;
    for (auto& p : problems)
      text += (text.empty() ? "" : "; ") + p;
    return caf::make_error(twin::errc::invalid_city, text);
  }
  return result;
}

} // namespace citytwin::scenarios::dynamic
