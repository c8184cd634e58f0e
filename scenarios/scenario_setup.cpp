// scenarios/scenario_setup.cpp
#include "scenarios/scenario_setup.hpp"

#include "scenarios/dynamic/city_bridge.hpp"
#include "twin/error.hpp"
#include "twin/random.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>

namespace citytwin::scenarios {

namespace {

namespace dyn = dynamic;

/// Links entering and leaving each node, to start and end trips at nodes.
struct node_ends {
  const dyn::road_network& net;

  uint32_t leaving(uint32_t node, twin::random_stream& rng) const {
    auto n = net.out_begin[node + 1] - net.out_begin[node];
    return n == 0 ? dyn::none
                  : net.out_links[net.out_begin[node] + rng.below(n)];
  }

  uint32_t entering(uint32_t node, twin::random_stream& rng) const {
    auto n = net.in_begin[node + 1] - net.in_begin[node];
    return n == 0 ? dyn::none
                  : net.in_links[net.in_begin[node] + rng.below(n)];
  }
};

/// Zones of the generated background demand: up to 64 nodes that have
/// roads in and out, drawn with the scenario's seed.
std::vector<uint32_t> pick_zones(const dyn::road_network& net,
                                 twin::random_stream& rng) {
  std::vector<uint32_t> candidates;
  for (uint32_t n = 0; n < net.num_nodes; ++n)
    if (net.out_begin[n + 1] > net.out_begin[n]
        && net.in_begin[n + 1] > net.in_begin[n])
      candidates.push_back(n);
  for (size_t i = 0; i + 1 < candidates.size(); ++i)
    std::swap(candidates[i],
              candidates[i + rng.below(candidates.size() - i)]);
  candidates.resize(std::min<size_t>(candidates.size(), 64));
  return candidates;
}

double straight_m(const dyn::road_network& net, uint32_t a, uint32_t b) {
  return std::hypot(net.node_x[a] - net.node_x[b],
                    net.node_y[a] - net.node_y[b]);
}

/// The background demand at level 1: zone pairs with a gravity weight
/// (1 / distance) and a total rate that loads the average link to
/// `background_load_share` of its capacity:
/// rate x mean trip length = share x sum(capacity x length).
struct gravity_demand {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  std::vector<double> cumulative; ///< of the weights, for sampling
  double total_weight = 0;
  double rate_veh_s = 0; ///< all pairs together

  /// (origin, destination, veh/s) per pair.
  std::vector<std::tuple<uint32_t, uint32_t, double>> rates() const {
    std::vector<std::tuple<uint32_t, uint32_t, double>> result;
    double before = 0;
    for (size_t k = 0; k < pairs.size(); ++k) {
      result.emplace_back(pairs[k].first, pairs[k].second,
                          rate_veh_s * (cumulative[k] - before)
                            / total_weight);
      before = cumulative[k];
    }
    return result;
  }
};

gravity_demand make_gravity(const dyn::road_network& net,
                            const std::vector<uint32_t>& zones) {
  gravity_demand result;
  if (zones.size() < 2 || net.num_links() == 0)
    return result;
  double capacity_m = 0;
  for (uint32_t l = 0; l < net.num_links(); ++l)
    capacity_m += net.discharge_veh_s[l] * net.green_share(net.gate[l])
                  * net.length_m[l];
  // Gravity weights and the mean trip length (straight line x 1.3 detour).
  double weighted_length = 0;
  for (auto a : zones)
    for (auto b : zones) {
      if (a == b)
        continue;
      auto d = std::max(200.0, straight_m(net, a, b));
      result.total_weight += 1 / d;
      weighted_length += (1 / d) * (1.3 * d); // weight x length
      result.pairs.emplace_back(a, b);
      result.cumulative.push_back(result.total_weight);
    }
  auto mean_length_m = weighted_length / result.total_weight;
  result.rate_veh_s = background_load_share * capacity_m / mean_length_m;
  return result;
}

/// Background trips over the whole horizon at `level` times the level-1
/// rate: uniform in time, pairs drawn by their gravity weight.
void add_background(const scenario_spec& spec, double level,
                    const gravity_demand& gravity, size_t num_zones,
                    scenario_setup& setup, twin::random_stream& rng) {
  const auto& net = setup.net;
  if (level <= 0 || gravity.pairs.empty())
    return;
  auto count = static_cast<uint64_t>(level * gravity.rate_veh_s
                                     * spec.horizon_s);
  const auto& pairs = gravity.pairs;
  const auto& cumulative = gravity.cumulative;
  node_ends ends{net};
  for (uint64_t i = 0; i < count; ++i) {
    auto pick = rng.uniform() * gravity.total_weight;
    auto k = static_cast<size_t>(
      std::lower_bound(cumulative.begin(), cumulative.end(), pick)
      - cumulative.begin());
    k = std::min(k, pairs.size() - 1);
    auto o = ends.leaving(pairs[k].first, rng);
    auto d = ends.entering(pairs[k].second, rng);
    setup.trips.add_to_node(rng.uniform(0, spec.horizon_s), o, d);
  }
  setup.notes.push_back(
    "background: " + std::to_string(count) + " generated trips between "
    + std::to_string(num_zones) + " zones (gravity, level "
    + std::to_string(level) + ")");
}

/// The level of the background demand: the scenario's; when the source
/// is the live counters, the OD matrix is fitted to the flows the fork
/// measured (the fitted rates replace the gravity weights) and the level
/// multiplies its total.
double background_level(const scenario_spec& spec,
                        const live_conditions* live,
                        gravity_demand& gravity, scenario_setup& setup) {
  auto level = spec.background.level;
  if (spec.background.source != background_source::live_counters)
    return level;
  if (live == nullptr) {
    setup.notes.push_back(
      "background: live counters need a fork of the live twin (a run on "
      "the server); the generated gravity demand stands in for them");
    return level;
  }
  const auto& net = setup.net;
  std::unordered_map<uint32_t, uint32_t> link_of;
  for (uint32_t l = 0; l < net.num_links(); ++l)
    link_of.emplace(net.segment[l], l);
  std::vector<double> measured(net.num_links(), -1);
  for (const auto& f : live->flows)
    if (auto i = link_of.find(f.segment); i != link_of.end())
      measured[i->second] = f.flow_veh_h;
  auto od = fit_od_to_counters(net, gravity.rates(), measured,
                                od_fit_iterations, max_background_factor);
  const auto& fit = od.summary;
  if (fit.counted == 0) {
    setup.notes.push_back(
      "background: the fork measured no flow on a road the demand uses; "
      "level " + std::to_string(level) + " of the generated demand");
    return level;
  }
  setup.background_fit = fit;
  setup.notes.push_back(
    "background: OD matrix fitted to " + std::to_string(fit.counted)
    + " measured flows, " + std::to_string(fit.pairs_fitted) + " of "
    + std::to_string(od.rate_veh_s.size())
    + " zone pairs on their own (overall factor "
    + std::to_string(fit.factor) + ", measured "
    + std::to_string(std::lround(fit.observed_veh_h)) + " veh/h, model "
    + std::to_string(std::lround(fit.modelled_veh_h)) + " veh/h, rmse "
    + std::to_string(std::lround(fit.rmse_veh_h))
    + " veh/h per road; one factor alone "
    + std::to_string(std::lround(fit.rmse_one_factor_veh_h)) + ")");
  // The fitted rates become the pairs' weights; the scenario's level
  // multiplies the fitted total.
  gravity.total_weight = 0;
  for (size_t k = 0; k < od.rate_veh_s.size(); ++k) {
    gravity.total_weight += od.rate_veh_s[k];
    gravity.cumulative[k] = gravity.total_weight;
  }
  auto total = std::min(gravity.total_weight,
                        max_background_factor * gravity.rate_veh_s);
  auto scale = gravity.rate_veh_s > 0 ? total / gravity.rate_veh_s : 1.0;
  return level * scale;
}

/// An event's cars: to their car park in the arrival window, away from it
/// in the departure window through its exit. Parks fill in order of
/// their share of the spaces; cars beyond all spaces are counted.
void add_event(const scenario_spec& spec, size_t index,
               const std::unordered_map<uint32_t, uint32_t>& node_of,
               const std::unordered_map<uint32_t, uint32_t>& link_of,
               const std::vector<uint32_t>& zones, scenario_setup& setup,
               twin::random_stream& rng) {
  const auto& ev = spec.events[index];
  auto group = static_cast<uint16_t>(setup.trips.group_names.size());
  setup.trips.group_names.push_back(ev.name);
  node_ends ends{setup.net};
  uint64_t spaces = 0;
  for (const auto& p : ev.parking)
    spaces += p.spaces;
  auto parked = std::min<uint64_t>(ev.cars, spaces);
  setup.unparked_by_event[index] = ev.cars - parked;
  uint64_t assigned = 0;
  for (size_t k = 0; k < ev.parking.size(); ++k) {
    const auto& p = ev.parking[k];
    auto cars = k + 1 == ev.parking.size()
                  ? parked - assigned
                  : std::min<uint64_t>(p.spaces, parked * p.spaces / spaces);
    assigned += cars;
    // Where the park meets the road: out of and into an intersection, or
    // onto / off the given segment.
    uint32_t exit_link = dyn::none, entry_link = dyn::none;
    if (p.access.kind == twin::entity_kind::road_segment) {
      exit_link = entry_link = link_of.at(p.access.number);
    } else {
      auto node = node_of.at(p.access.number);
      exit_link = ends.leaving(node, rng);
      entry_link = ends.entering(node, rng);
    }
    auto parking = static_cast<uint32_t>(setup.trips.parkings.size());
    setup.trips.parkings.push_back(
      {p.name, exit_link,
       static_cast<float>(p.exit_capacity_veh_h / 3600.0)});
    if (exit_link == dyn::none || entry_link == dyn::none || zones.empty()) {
      setup.unparked_by_event[index] += cars; // no road at the park
      continue;
    }
    for (uint64_t c = 0; c < cars; ++c) {
      auto zone = zones[rng.below(zones.size())];
      if (ev.arrival) {
        auto t = rng.uniform(ev.arrival->from_s, ev.arrival->to_s);
        // Into a car park at an intersection by any of its roads; onto
        // a car park on a segment by that segment.
        if (p.access.kind == twin::entity_kind::road_segment)
          setup.trips.add_open(t, ends.leaving(zone, rng), entry_link, group);
        else
          setup.trips.add_to_node(t, ends.leaving(zone, rng), entry_link,
                                  group);
      }
      if (ev.departure) {
        auto t = rng.uniform(ev.departure->from_s, ev.departure->to_s);
        setup.trips.add_to_node(t, exit_link, ends.entering(zone, rng),
                                group, parking);
      }
    }
  }
}

/// The group of the vehicles on the road at the fork.
constexpr const char* on_the_road_group = "on the road at the fork";

/// The vehicles on the road when the twin was forked, by Little's law: a
/// road measured carrying q veh/h at v km/h holds q x length / v vehicles
/// (at most what it can store; never faster than free flow). Each starts
/// somewhere along its road, the one furthest along first, and drives on
/// to a zone drawn by gravity from the end of its road, like the
/// background. They form a group of their own: their durations are the
/// rest of a trip, not a whole one.
void add_vehicles_on_the_road(
  const live_conditions& live,
  const std::unordered_map<uint32_t, uint32_t>& link_of,
  const std::vector<uint32_t>& zones, scenario_setup& setup,
  twin::random_stream& rng) {
  const auto& net = setup.net;
  if (zones.size() < 2)
    return;
  node_ends ends{net};
  auto group = static_cast<uint16_t>(setup.trips.group_names.size());
  uint64_t count = 0;
  uint32_t roads = 0;
  std::vector<float> along;
  std::vector<double> cumulative(zones.size());
  for (const auto& f : live.flows) {
    auto i = link_of.find(f.segment);
    if (i == link_of.end() || !(f.flow_veh_h > 0))
      continue;
    auto l = i->second;
    double free_time = net.free_time_s[l];
    auto travel = f.speed_km_h > 0 ? net.length_m[l] / (f.speed_km_h / 3.6)
                                   : free_time;
    auto expected = std::min<double>(f.flow_veh_h / 3600
                                       * std::max(travel, free_time),
                                     net.storage_veh[l]);
    auto n = static_cast<uint32_t>(expected);
    if (rng.uniform() < expected - n)
      ++n;
    if (n == 0)
      continue;
    along.clear();
    for (uint32_t k = 0; k < n; ++k)
      along.push_back(static_cast<float>(rng.uniform() * free_time));
    std::sort(along.begin(), along.end(), std::greater<>{});
    auto from = net.to[l];
    double total = 0;
    for (size_t z = 0; z < zones.size(); ++z) {
      if (zones[z] != from)
        total += 1 / std::max(200.0, straight_m(net, from, zones[z]));
      cumulative[z] = total;
    }
    for (auto a : along) {
      auto pick = rng.uniform() * total;
      auto z = static_cast<size_t>(
        std::lower_bound(cumulative.begin(), cumulative.end(), pick)
        - cumulative.begin());
      auto d = ends.entering(zones[std::min(z, zones.size() - 1)], rng);
      setup.trips.add_on_road(0, l, a, d, group);
    }
    count += n;
    ++roads;
  }
  if (count == 0)
    return;
  setup.trips.group_names.push_back(on_the_road_group);
  setup.notes.push_back(
    "on the road at the fork: " + std::to_string(count) + " vehicles on "
    + std::to_string(roads)
    + " roads (measured flow x travel time at the measured speed), driving "
      "on to the background's zones; reported as their own group");
}

void close(scenario_setup& setup, uint32_t link, const time_window& w) {
  dyn::network_edit on;
  on.at_s = w.from_s;
  on.link = link;
  on.closed = true;
  auto off = on;
  off.at_s = w.to_s;
  off.closed = false;
  setup.edits.push_back(on);
  setup.edits.push_back(off);
}

void reduce_lanes(scenario_setup& setup, uint32_t link, uint8_t lanes,
                  const time_window& w) {
  const auto& net = setup.net;
  auto ratio = static_cast<float>(lanes) / std::max<uint8_t>(1, net.lanes[link]);
  dyn::network_edit on;
  on.at_s = w.from_s;
  on.link = link;
  on.discharge_veh_s = net.discharge_veh_s[link] * ratio;
  on.storage_veh = net.storage_veh[link] * ratio;
  dyn::network_edit off;
  off.at_s = w.to_s;
  off.link = link;
  off.discharge_veh_s = net.discharge_veh_s[link];
  off.storage_veh = net.storage_veh[link];
  setup.edits.push_back(on);
  setup.edits.push_back(off);
}

void change_signals(const signal_plan_spec& plan,
                    const std::unordered_map<uint32_t, uint32_t>& link_of,
                    scenario_setup& setup) {
  auto& net = setup.net;
  auto apply = [&](uint32_t link, double share) {
    auto old_gate = net.gate[link];
    double cycle = plan.cycle_s.value_or(
      old_gate == dyn::none ? 90.0 : net.gates[old_gate].cycle_s);
    dyn::network_edit on;
    on.at_s = plan.window.from_s;
    on.link = link;
    on.gate = net.add_fixed_gate(cycle, share);
    dyn::network_edit off;
    off.at_s = plan.window.to_s;
    off.link = link;
    off.gate = old_gate;
    setup.edits.push_back(on);
    setup.edits.push_back(off);
  };
  for (const auto& s : plan.shares)
    apply(link_of.at(s.segment), s.share);
  for (const auto& e : plan.extensions) {
    auto link = link_of.at(e.segment);
    auto g = net.gate[link];
    double cycle = g == dyn::none ? 90.0 : net.gates[g].cycle_s;
    apply(link, net.green_share(g) + e.extra_s / cycle);
  }
}

/// The signals the fork found off their own plan, from the start to the
/// horizon (the fork cannot know when operators will restore them): all
/// red stops every approach, flashing is a dark signal (every approach
/// gives way, at the unsignalised rate), a commanded plan times the two
/// stages of the model's signals, even phases north-south, odd ones
/// east-west (as the city's own two-stage plans).
void apply_live_signals(const live_conditions& live,
                        const std::unordered_map<uint32_t, uint32_t>& node_of,
                        scenario_setup& setup) {
  auto& net = setup.net;
  uint32_t all_red = 0, dark = 0, planned = 0, unknown = 0;
  for (const auto& s : live.signals) {
    auto i = node_of.find(s.intersection);
    if (i == node_of.end()) {
      ++unknown;
      continue;
    }
    auto node = i->second;
    double stage_green[2] = {0, 0};
    for (size_t p = 0; p < s.num_phases && p < s.green_s.size(); ++p)
      stage_green[p % 2] += s.green_s[p];
    auto cycle = stage_green[0] + stage_green[1];
    uint32_t stage_gate[2] = {dyn::none, dyn::none};
    if (s.mode == twin::signal_mode::normal && cycle > 0)
      for (int stage = 0; stage < 2; ++stage) {
        stage_gate[stage] = net.add_fixed_gate(cycle,
                                               stage_green[stage] / cycle);
        // Stage B starts where stage A ends.
        if (stage == 1)
          net.gates[stage_gate[1]].offset_s
            = static_cast<float>(cycle - stage_green[0]);
      }
    auto closed_gate = s.mode == twin::signal_mode::all_red
                         ? net.add_fixed_gate(90, 0)
                         : dyn::none;
    for (auto k = net.in_begin[node]; k < net.in_begin[node + 1]; ++k) {
      auto l = net.in_links[k];
      dyn::network_edit e;
      e.at_s = 0;
      e.link = l;
      if (s.mode == twin::signal_mode::all_red) {
        e.gate = closed_gate;
      } else if (s.mode == twin::signal_mode::flashing) {
        e.gate = dyn::none;
        e.discharge_veh_s = static_cast<float>(net.lanes[l] * 900.0 / 3600.0);
      } else if (cycle > 0) {
        auto dx = net.node_x[node] - net.node_x[net.from[l]];
        auto dy = net.node_y[node] - net.node_y[net.from[l]];
        e.gate = stage_gate[std::abs(dy) >= std::abs(dx) ? 0 : 1];
      } else {
        continue;
      }
      setup.edits.push_back(e);
    }
    if (s.mode == twin::signal_mode::all_red)
      ++all_red;
    else if (s.mode == twin::signal_mode::flashing)
      ++dark;
    else if (cycle > 0)
      ++planned;
  }
  setup.notes.push_back(
    "live signals: " + std::to_string(all_red) + " all red, "
    + std::to_string(dark) + " flashing (dark), " + std::to_string(planned)
    + " on a commanded plan"
    + (unknown > 0 ? ", " + std::to_string(unknown) + " not in the city"
                   : std::string{}));
}

} // namespace

caf::expected<scenario_setup> make_setup(const scenario_spec& spec,
                                         const twin::city& city,
                                         uint32_t num_partitions,
                                         const live_conditions* live) {
  if (spec.background.source == background_source::od_file)
    return caf::make_error(
      twin::errc::invalid_config,
      "background source od_file is not supported by the simulator yet; "
      "use equilibrium");
  scenario_setup result;
  result.net = dyn::make_road_network(city.roads);
  std::unordered_map<uint32_t, uint32_t> node_of, link_of;
  for (auto* i : city.roads.intersections()) {
    node_of.emplace(i->number, static_cast<uint32_t>(node_of.size()));
    result.intersection_of_node.push_back(i->number);
  }
  for (uint32_t l = 0; l < result.net.num_links(); ++l)
    link_of.emplace(result.net.segment[l], l);
  auto& opts = result.options;
  opts.step_s = spec.step_s;
  opts.horizon_s = spec.horizon_s;
  opts.output_interval_s = spec.output_interval_s;
  opts.reroute_period_s = spec.rerouting.enabled ? spec.rerouting.period_s : 0;
  opts.reroute_share = spec.rerouting.share;
  opts.seed = spec.seed;
  opts.num_partitions = num_partitions;
  twin::random_stream rng(spec.seed);
  // Background and event trips share the zones: every zone is one
  // fastest-path tree for the model to keep current.
  auto zones = pick_zones(result.net, rng);
  auto gravity = make_gravity(result.net, zones);
  add_background(spec, background_level(spec, live, gravity, result),
                 gravity, zones.size(), result, rng);
  result.unparked_by_event.assign(spec.events.size(), 0);
  for (size_t e = 0; e < spec.events.size(); ++e)
    add_event(spec, e, node_of, link_of, zones, result, rng);
  if (live != nullptr)
    add_vehicles_on_the_road(*live, link_of, zones, result, rng);
  for (const auto& c : spec.closures)
    for (auto s : c.segments)
      close(result, link_of.at(s), c.window);
  for (const auto& r : spec.lane_reductions)
    for (auto s : r.segments)
      reduce_lanes(result, link_of.at(s), r.lanes, r.window);
  for (const auto& plan : spec.signal_plans)
    change_signals(plan, link_of, result);
  for (const auto& f : spec.failures) {
    if (f.entity.kind != twin::entity_kind::intersection)
      continue; // lamps and sensors do not change traffic
    // Dark signals: every approach gives way, at the unsignalised rate.
    auto node = node_of.at(f.entity.number);
    for (auto k = result.net.in_begin[node]; k < result.net.in_begin[node + 1];
         ++k) {
      auto l = result.net.in_links[k];
      dyn::network_edit on;
      on.at_s = f.window.from_s;
      on.link = l;
      on.gate = dyn::none;
      on.discharge_veh_s = static_cast<float>(result.net.lanes[l] * 900.0
                                              / 3600.0);
      dyn::network_edit off = on;
      off.at_s = f.window.to_s;
      off.gate = result.net.gate[l];
      off.discharge_veh_s = result.net.discharge_veh_s[l];
      result.edits.push_back(on);
      result.edits.push_back(off);
    }
  }
  if (live != nullptr)
    apply_live_signals(*live, node_of, result);
  std::stable_sort(result.edits.begin(), result.edits.end(),
                   [](auto& a, auto& b) { return a.at_s < b.at_s; });
  return result;
}

std::shared_ptr<dynamic::queue_model>
make_model(const scenario_setup& setup,
           const std::vector<dynamic::network_edit>& extra_edits) {
  auto result = std::make_shared<dynamic::queue_model>(
    setup.net, setup.trips, setup.options);
  for (const auto& e : setup.edits)
    result->add_edit(e);
  for (const auto& e : extra_edits)
    result->add_edit(e);
  return result;
}

} // namespace citytwin::scenarios
