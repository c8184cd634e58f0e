// scenarios/recommended_actions.cpp
#include "scenarios/recommended_actions.hpp"

#include "twin/civil_time.hpp"
#include "twin/geo.hpp"
#include "twin/solar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace citytwin::scenarios {

namespace {

namespace dyn = dynamic;

/// Congestion this long on a signalised approach asks for more green.
constexpr double green_episode_min_s = 15 * 60;
/// Green added per cycle by an applied extend_green action, and the most
/// of the cycle an approach may then have.
constexpr double extra_green_s = 15;
constexpr double max_green_share = 0.9;
/// Queues shorter than this are no reason to change signals or routes.
constexpr float action_min_queue_veh = 5;
/// Car-park exit waits above this get visitor advice.
constexpr double advice_wait_s = 10 * 60;
/// Lamps this close to a venue light its pedestrian egress.
constexpr double egress_radius_m = 400;
/// At most this many actions of one kind.
constexpr size_t max_per_kind = 5;

std::string clock(const scenario_spec& spec, double t) {
  auto s = static_cast<long>(spec.start_s_of_day + t) % 86400;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 3600, s / 60 % 60);
  return buf;
}

std::string road_name(const twin::city& city, uint32_t segment) {
  auto* s = city.roads.find_segment(segment);
  if (s && !s->name.empty())
    return s->name + " (segment " + std::to_string(segment) + ")";
  return "segment " + std::to_string(segment);
}

/// Fastest path at free flow between two nodes avoiding one link; the
/// links in order, empty if there is none.
std::vector<uint32_t> detour(const dyn::road_network& net, uint32_t from,
                             uint32_t to, uint32_t avoid) {
  std::vector<double> dist(net.num_nodes,
                           std::numeric_limits<double>::infinity());
  std::vector<uint32_t> via(net.num_nodes, dyn::none);
  std::vector<std::pair<double, uint32_t>> heap{{0.0, from}};
  dist[from] = 0;
  auto cmp = [](auto& a, auto& b) { return a.first > b.first; };
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), cmp);
    auto [d, u] = heap.back();
    heap.pop_back();
    if (u == to)
      break;
    if (d > dist[u])
      continue;
    for (auto i = net.out_begin[u]; i < net.out_begin[u + 1]; ++i) {
      auto l = net.out_links[i];
      if (l == avoid)
        continue;
      auto c = d + net.free_time_s[l];
      if (c < dist[net.to[l]]) {
        dist[net.to[l]] = c;
        via[net.to[l]] = l;
        heap.emplace_back(c, net.to[l]);
        std::push_heap(heap.begin(), heap.end(), cmp);
      }
    }
  }
  std::vector<uint32_t> result;
  for (auto n = to; n != from && via[n] != dyn::none; n = net.from[via[n]])
    result.push_back(via[n]);
  if (result.empty() || net.from[result.back()] != from)
    return {};
  std::reverse(result.begin(), result.end());
  return result;
}

uint32_t link_of_segment(const dyn::road_network& net, uint32_t segment) {
  for (uint32_t l = 0; l < net.num_links(); ++l)
    if (net.segment[l] == segment)
      return l;
  return dyn::none;
}

/// The longest congestion episodes (at most `max_per_kind`) with a real
/// queue on signalised (`signalised`) or unsignalised links, with their
/// links.
std::vector<std::pair<const congestion_episode*, uint32_t>>
long_episodes(const dyn::road_network& net, const run_summary& summary,
              bool signalised) {
  std::vector<std::pair<const congestion_episode*, uint32_t>> result;
  for (const auto& e : summary.congestion) {
    if (result.size() >= max_per_kind
        || e.to_s - e.from_s < green_episode_min_s)
      break; // longest first
    auto l = link_of_segment(net, e.segment);
    if (l == dyn::none || (net.gate[l] != dyn::none) != signalised
        || e.max_queue_veh < action_min_queue_veh)
      continue;
    result.emplace_back(&e, l);
  }
  return result;
}

/// Signalised approaches congested for long: more green, or a longer
/// cycle share, while the episode lasts.
void extend_green(const scenario_spec& spec, const scenario_setup& setup,
                  const run_summary& summary, const twin::city& city,
                  std::vector<recommended_action>& out) {
  const auto& net = setup.net;
  for (auto [episode, l] : long_episodes(net, summary, true)) {
    const auto& e = *episode;
    recommended_action a;
    a.kind = "extend_green";
    a.intersection = setup.intersection_of_node[net.to[l]];
    a.segments = {e.segment};
    a.from_s = e.from_s;
    a.to_s = e.to_s;
    a.priority = e.to_s - e.from_s >= 45 * 60 ? 1 : 2;
    a.audiences = {audience::traffic_operations};
    a.text = "extend green by " + std::to_string(int(extra_green_s))
             + " s per cycle for " + road_name(city, e.segment)
             + " at intersection " + std::to_string(a.intersection) + ", "
             + clock(spec, e.from_s) + "-" + clock(spec, e.to_s);
    char why[160];
    std::snprintf(why, sizeof why,
                  "congested for %.0f min, queue up to %.0f vehicles, speed "
                  "down to %.0f km/h, with %.0f %% green",
                  (e.to_s - e.from_s) / 60, e.max_queue_veh, e.min_speed_km_h,
                  net.green_share(net.gate[l]) * 100);
    a.reason = why;
    out.push_back(std::move(a));
  }
}

/// Unsignalised roads congested for long: divert traffic over the fastest
/// free-flow detour around them.
void reroute(const scenario_spec& spec, const scenario_setup& setup,
             const run_summary& summary, const twin::city& city,
             std::vector<recommended_action>& out) {
  const auto& net = setup.net;
  for (auto [episode, l] : long_episodes(net, summary, false)) {
    const auto& e = *episode;
    auto path = detour(net, net.from[l], net.to[l], l);
    if (path.empty() || path.size() > 8)
      continue; // no sensible local detour
    recommended_action a;
    a.kind = "reroute";
    a.from_s = e.from_s;
    a.to_s = e.to_s;
    a.priority = 2;
    a.audiences = {audience::traffic_operations, audience::police};
    a.segments.push_back(e.segment); // the road to avoid, then the detour
    std::string via;
    for (auto p : path) {
      a.segments.push_back(net.segment[p]);
      via += (via.empty() ? "" : ", ") + road_name(city, net.segment[p]);
    }
    a.text = "divert traffic from " + road_name(city, e.segment) + " via "
             + via + ", " + clock(spec, e.from_s) + "-" + clock(spec, e.to_s);
    char why[128];
    std::snprintf(why, sizeof why,
                  "congested for %.0f min with a queue of up to %.0f vehicles",
                  (e.to_s - e.from_s) / 60, e.max_queue_veh);
    a.reason = why;
    out.push_back(std::move(a));
  }
}

/// Links closed at some moment of [from_s, to_s) by the scenario's edits
/// (sorted by time).
std::unordered_set<uint32_t> closed_during(const scenario_setup& setup,
                                           double from_s, double to_s) {
  std::unordered_set<uint32_t> result;
  for (const auto& e : setup.edits) {
    if (e.at_s >= to_s)
      break;
    if (!e.closed)
      continue;
    if (*e.closed)
      result.insert(e.link); // closed before the end of the window ...
    else if (e.at_s <= from_s)
      result.erase(e.link); // ... unless reopened before it began
  }
  return result;
}

/// The least loaded way into each venue during its departure: the entering
/// road with the smallest peak queue, followed upstream the same way for
/// up to five roads, never over a closed road or back to an intersection
/// already on the way. Emergency services need it free while crowds leave.
void keep_access_free(const scenario_spec& spec, const scenario_setup& setup,
                      const dyn::model_result& result, const twin::city& city,
                      std::vector<recommended_action>& out) {
  const auto& net = setup.net;
  const auto& s = result.links;
  std::unordered_map<uint32_t, uint32_t> node_of;
  for (uint32_t n = 0; n < setup.intersection_of_node.size(); ++n)
    node_of.emplace(setup.intersection_of_node[n], n);
  for (const auto& ev : spec.events) {
    if (!ev.departure || !node_of.count(ev.venue))
      continue;
    auto peak = [&](uint32_t l) {
      float q = 0;
      auto k0 = static_cast<size_t>(ev.departure->from_s / s.interval_s);
      auto k1 = static_cast<size_t>(ev.departure->to_s / s.interval_s) + 6;
      for (auto k = k0; k <= k1 && k < s.num_intervals(); ++k)
        q = std::max(q, s.queue_veh[k * s.num_links + l]);
      return q;
    };
    auto window_end = std::min(spec.horizon_s, ev.departure->to_s + 3600);
    auto closed = closed_during(setup, ev.departure->from_s, window_end);
    std::unordered_set<uint32_t> on_the_way;
    auto best_entering = [&](uint32_t node) {
      uint32_t best = dyn::none;
      float best_q = 0;
      for (auto i = net.in_begin[node]; i < net.in_begin[node + 1]; ++i) {
        auto l = net.in_links[i];
        if (on_the_way.count(net.from[l]) || closed.count(l))
          continue; // no loops, and a closed road is no access
        auto q = peak(l);
        if (best == dyn::none || q < best_q) {
          best = l;
          best_q = q;
        }
      }
      return best;
    };
    recommended_action a;
    a.kind = "keep_access_free";
    a.intersection = ev.venue;
    a.from_s = ev.departure->from_s;
    a.to_s = window_end;
    a.priority = 1;
    a.audiences = {audience::police, audience::fire, audience::ambulance};
    auto node = node_of.at(ev.venue);
    on_the_way.insert(node);
    float worst = 0;
    for (int hop = 0; hop < 5; ++hop) {
      auto l = best_entering(node);
      if (l == dyn::none)
        break;
      a.segments.insert(a.segments.begin(), net.segment[l]);
      worst = std::max(worst, peak(l));
      node = net.from[l];
      on_the_way.insert(node);
    }
    if (a.segments.empty())
      continue;
    std::string roads;
    for (auto seg : a.segments)
      roads += (roads.empty() ? "" : ", ") + road_name(city, seg);
    a.text = "keep the access to " + ev.name + " (intersection "
             + std::to_string(ev.venue) + ") free for emergency vehicles via "
             + roads + ", " + clock(spec, a.from_s) + "-"
             + clock(spec, a.to_s);
    char why[128];
    std::snprintf(why, sizeof why,
                  "the least loaded approach while the crowd leaves: queues "
                  "of at most %.0f vehicles on it",
                  worst);
    a.reason = why;
    out.push_back(std::move(a));
  }
}

/// Car parks whose exit queue is long: tell visitors when it is gone.
void visitor_advice(const scenario_spec& spec, const scenario_setup& setup,
                    const dyn::model_result& result,
                    std::vector<recommended_action>& out) {
  const auto& trips = setup.trips;
  auto num_parks = trips.parkings.size();
  std::vector<double> wait_sum(num_parks, 0), last_exit(num_parks, -1);
  std::vector<uint64_t> count(num_parks, 0), stuck(num_parks, 0);
  for (size_t i = 0; i < trips.trips.size(); ++i) {
    auto pk = trips.trips[i].parking;
    if (pk == dyn::none)
      continue;
    const auto& rec = result.trips[i];
    if (rec.inserted_s < 0) {
      ++stuck[pk];
      continue;
    }
    ++count[pk];
    wait_sum[pk] += rec.inserted_s - trips.trips[i].depart_s;
    last_exit[pk] = std::max(last_exit[pk], rec.inserted_s);
  }
  for (size_t pk = 0; pk < num_parks; ++pk) {
    if (count[pk] == 0)
      continue;
    auto mean_wait = wait_sum[pk] / count[pk];
    if (mean_wait < advice_wait_s && stuck[pk] == 0)
      continue;
    recommended_action a;
    a.kind = "visitor_advice";
    a.priority = 3;
    a.audiences = {audience::visitors};
    a.from_s = last_exit[pk] - mean_wait;
    a.to_s = last_exit[pk];
    const auto& name = trips.parkings[pk].name;
    a.text = "car park " + name + ": expect about "
             + std::to_string(static_cast<int>(mean_wait / 60))
             + " min in the exit queue; it is gone by "
             + clock(spec, last_exit[pk]) + ": leave the venue later, or "
             + "use a car park with a shorter queue";
    char why[128];
    std::snprintf(why, sizeof why,
                  "%llu cars left with a mean wait of %.0f min; %llu could "
                  "not leave before the horizon",
                  (unsigned long long)count[pk], mean_wait / 60,
                  (unsigned long long)stuck[pk]);
    a.reason = why;
    out.push_back(std::move(a));
  }
}

/// Crowds walk to their cars in the dark: full light on the lamps around
/// the venue from shortly before the end until the car parks are empty.
void brighten_lighting(const scenario_spec& spec, const twin::city& city,
                       std::vector<recommended_action>& out) {
  for (const auto& ev : spec.events) {
    if (!ev.departure)
      continue;
    auto* venue = city.roads.find_intersection(ev.venue);
    if (!venue)
      continue;
    auto day = twin::days_from_civil(spec.start_date.year,
                                     spec.start_date.month,
                                     spec.start_date.day);
    auto at_ms = [&](double t) {
      return static_cast<twin::time_ms>(
        (day * 86400.0 + spec.start_s_of_day + t - city.utc_offset_min * 60.0)
        * 1000);
    };
    auto dark = twin::sun_elevation_deg(venue->where,
                                        at_ms(ev.departure->from_s))
                < -0.833;
    if (!dark)
      continue;
    recommended_action a;
    a.kind = "brighten_lighting";
    a.intersection = ev.venue;
    a.from_s = std::max(0.0, ev.departure->from_s - 600);
    a.to_s = std::min(spec.horizon_s, ev.departure->to_s + 1800);
    a.priority = 2;
    a.audiences = {audience::traffic_operations};
    size_t lamps = 0;
    for (const auto& t : city.things)
      if (t.id.kind == twin::entity_kind::street_lamp
          && twin::distance_m(t.where, venue->where) <= egress_radius_m) {
        ++lamps;
        if (a.segments.size() < 64
            && std::find(a.segments.begin(), a.segments.end(), t.segment)
                 == a.segments.end())
          a.segments.push_back(t.segment);
      }
    if (lamps == 0)
      continue;
    a.text = "set the " + std::to_string(lamps) + " street lamps within "
             + std::to_string(static_cast<int>(egress_radius_m)) + " m of "
             + ev.name + " to full light, " + clock(spec, a.from_s) + "-"
             + clock(spec, a.to_s);
    a.reason = "visitors walk to the car parks after sunset ("
               + std::to_string(ev.attendees) + " attendees)";
    out.push_back(std::move(a));
  }
}

} // namespace

const char* to_string(audience who) {
  switch (who) {
    case audience::police: return "police";
    case audience::fire: return "fire";
    case audience::ambulance: return "ambulance";
    case audience::traffic_operations: return "traffic operations";
    case audience::visitors: return "visitors";
  }
  return "?";
}

std::vector<recommended_action>
recommend_actions(const scenario_spec& spec, const scenario_setup& setup,
                  const dyn::model_result& result, const run_summary& summary,
                  const twin::city& city) {
  std::vector<recommended_action> out;
  keep_access_free(spec, setup, result, city, out);
  extend_green(spec, setup, summary, city, out);
  reroute(spec, setup, summary, city, out);
  brighten_lighting(spec, city, out);
  visitor_advice(spec, setup, result, out);
  std::stable_sort(out.begin(), out.end(), [](auto& a, auto& b) {
    return a.priority < b.priority;
  });
  return out;
}

bool changes_traffic(const recommended_action& action) {
  return !action.segments.empty()
         && (action.kind == "extend_green" || action.kind == "reroute");
}

std::vector<dyn::network_edit>
action_edits(const std::vector<recommended_action>& actions,
             scenario_setup& setup) {
  auto& net = setup.net;
  std::vector<dyn::network_edit> result;
  for (const auto& a : actions) {
    if (a.segments.empty())
      continue;
    auto l = link_of_segment(net, a.segments.front());
    if (l == dyn::none)
      continue;
    dyn::network_edit on, off;
    on.link = off.link = l;
    on.at_s = a.from_s;
    off.at_s = a.to_s;
    if (a.kind == "extend_green" && net.gate[l] != dyn::none) {
      const auto& g = net.gates[net.gate[l]];
      auto cycle = static_cast<double>(g.cycle_s);
      auto share = std::min(max_green_share,
                            net.green_share(net.gate[l]) + extra_green_s / cycle);
      off.gate = net.gate[l];
      on.gate = net.add_fixed_gate(cycle, share);
    } else if (a.kind == "reroute") {
      on.closed = true;
      off.closed = false;
    } else {
      continue;
    }
    result.push_back(on);
    result.push_back(off);
  }
  return result;
}

} // namespace citytwin::scenarios
