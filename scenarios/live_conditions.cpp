// scenarios/live_conditions.cpp
#include "scenarios/live_conditions.hpp"

#include "actors/messages.hpp"
#include "twin/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <unordered_map>

namespace citytwin::scenarios {

uint32_t live_fork_kinds() {
  actors::subscription_filter f;
  f.with(twin::entity_kind::road_segment)
    .with(twin::entity_kind::intersection)
    .with(twin::entity_kind::traffic_counter);
  return f.kinds;
}

caf::expected<live_conditions> read_fork(const actors::twin_fork& fork,
                                         const twin::city& city) {
  if (fork.city != city.name)
    return caf::make_error(twin::errc::invalid_config,
                           "the fork is of city '" + fork.city
                             + "', the scenario of '" + city.name + "'");
  live_conditions result;
  result.city = fork.city;
  result.as_of = fork.as_of;
  std::unordered_map<uint32_t, uint32_t> counter_segment;
  for (const auto& p : city.things)
    if (p.id.kind == twin::entity_kind::traffic_counter)
      counter_segment.emplace(p.id.number, p.segment);
  // Segment number -> flow; a counter's count replaces the segment's own
  // estimate, several counters on one segment are averaged.
  std::unordered_map<uint32_t, std::pair<double, int>> by_segment;
  std::unordered_map<uint32_t, bool> counted;
  std::unordered_map<uint32_t, double> speed_of;
  auto flow_seen = twin::bit(twin::quantity::vehicle_flow);
  auto speed_seen = twin::bit(twin::quantity::mean_speed);
  for (const auto& st : fork.states) {
    switch (st.id.kind) {
      case twin::entity_kind::road_segment: {
        ++result.segments_forked;
        if ((st.seen & speed_seen) != 0)
          speed_of[st.id.number] = st.as<twin::road_segment_state>().speed_kmh;
        if ((st.seen & flow_seen) == 0 || counted.count(st.id.number))
          break;
        by_segment[st.id.number]
          = {st.as<twin::road_segment_state>().flow_veh_h, 1};
        break;
      }
      case twin::entity_kind::traffic_counter: {
        ++result.counters_forked;
        auto i = counter_segment.find(st.id.number);
        if (i == counter_segment.end() || (st.seen & flow_seen) == 0)
          break; // created at runtime: placed nowhere we know
        auto flow = st.as<twin::traffic_counter_state>().flow_veh_h;
        auto& slot = by_segment[i->second];
        if (!counted[i->second])
          slot = {flow, 1};
        else
          slot = {slot.first + flow, slot.second + 1};
        counted[i->second] = true;
        break;
      }
      case twin::entity_kind::intersection: {
        ++result.intersections_forked;
        const auto& x = st.as<twin::intersection_state>();
        if (x.num_phases == 0)
          break;
        bool own_plan = true;
        for (auto g : x.green_s)
          own_plan = own_plan && g == 0;
        if (x.mode == twin::signal_mode::normal && own_plan)
          break;
        live_conditions::signal_override s;
        s.intersection = st.id.number;
        s.mode = x.mode;
        s.green_s = x.green_s;
        s.num_phases = x.num_phases;
        result.signals.push_back(s);
        break;
      }
      default:
        break;
    }
  }
  for (const auto& [segment, sum] : by_segment) {
    auto speed = speed_of.find(segment);
    result.flows.push_back({segment, sum.first / sum.second,
                            speed == speed_of.end() ? -1.0 : speed->second});
  }
  // Hash order is not an order: the run must not depend on it.
  std::sort(result.flows.begin(), result.flows.end(),
            [](auto& a, auto& b) { return a.segment < b.segment; });
  std::sort(result.signals.begin(), result.signals.end(),
            [](auto& a, auto& b) { return a.intersection < b.intersection; });
  return result;
}

namespace {

/// Free-flow fastest-path predecessor links from `origin` to every node.
std::vector<uint32_t> free_flow_tree(const dynamic::road_network& net,
                                     uint32_t origin) {
  std::vector<double> dist(net.num_nodes,
                           std::numeric_limits<double>::infinity());
  std::vector<uint32_t> via(net.num_nodes, dynamic::none);
  using item = std::pair<double, uint32_t>;
  std::priority_queue<item, std::vector<item>, std::greater<>> heap;
  dist[origin] = 0;
  heap.emplace(0, origin);
  while (!heap.empty()) {
    auto [d, n] = heap.top();
    heap.pop();
    if (d > dist[n])
      continue;
    for (auto k = net.out_begin[n]; k < net.out_begin[n + 1]; ++k) {
      auto l = net.out_links[k];
      auto m = net.to[l];
      auto nd = d + net.free_time_s[l];
      if (nd < dist[m]) {
        dist[m] = nd;
        via[m] = l;
        heap.emplace(nd, m);
      }
    }
  }
  return via;
}

/// The links of each pair's free-flow fastest path (all or nothing), one
/// tree per origin.
std::vector<std::vector<uint32_t>> free_flow_paths(
  const dynamic::road_network& net,
  const std::vector<std::tuple<uint32_t, uint32_t, double>>& pairs) {
  std::vector<std::vector<uint32_t>> result;
  result.reserve(pairs.size());
  std::unordered_map<uint32_t, std::vector<uint32_t>> trees;
  for (const auto& [o, d, rate] : pairs) {
    auto i = trees.find(o);
    if (i == trees.end())
      i = trees.emplace(o, free_flow_tree(net, o)).first;
    const auto& via = i->second;
    auto& path = result.emplace_back();
    for (auto n = d; n != o && via[n] != dynamic::none; n = net.from[via[n]])
      path.push_back(via[n]);
  }
  return result;
}

bool counts(const std::vector<double>& measured, uint32_t link) {
  return link < measured.size() && measured[link] >= 0;
}

/// Root mean square of (model - measured) over the counted links the
/// demand uses, with the model's flows in veh/h; also their sums.
double rmse(const std::vector<double>& model,
            const std::vector<double>& measured, double* modelled = nullptr) {
  double sq = 0, sum = 0;
  uint32_t n = 0;
  for (uint32_t l = 0; l < model.size(); ++l) {
    if (!counts(measured, l) || model[l] <= 0)
      continue;
    ++n;
    sum += model[l];
    sq += (model[l] - measured[l]) * (model[l] - measured[l]);
  }
  if (modelled != nullptr)
    *modelled = sum;
  return n == 0 ? 0 : std::sqrt(sq / n);
}

} // namespace

counter_fit
fit_to_counters(const dynamic::road_network& net,
                const std::vector<std::tuple<uint32_t, uint32_t, double>>& pairs,
                const std::vector<double>& measured) {
  counter_fit result;
  // Level-1 flow per link (veh/h) from all-or-nothing loading on free-flow
  // paths.
  std::vector<double> model(net.num_links(), 0);
  auto paths = free_flow_paths(net, pairs);
  for (size_t k = 0; k < pairs.size(); ++k)
    for (auto l : paths[k])
      model[l] += std::get<2>(pairs[k]) * 3600;
  // Least squares through the origin: factor = sum(m x) / sum(m m).
  double mx = 0, mm = 0;
  for (uint32_t l = 0; l < net.num_links(); ++l) {
    if (!counts(measured, l) || model[l] <= 0)
      continue;
    ++result.counted;
    result.observed_veh_h += measured[l];
    mx += model[l] * measured[l];
    mm += model[l] * model[l];
  }
  if (result.counted == 0 || mm <= 0)
    return result;
  result.factor = mx / mm;
  for (auto& m : model)
    m *= result.factor;
  result.rmse_veh_h = rmse(model, measured, &result.modelled_veh_h);
  return result;
}

od_fit fit_od_to_counters(
  const dynamic::road_network& net,
  const std::vector<std::tuple<uint32_t, uint32_t, double>>& pairs,
  const std::vector<double>& measured, uint32_t iterations,
  double max_factor) {
  od_fit result;
  auto& sum = result.summary;
  sum = fit_to_counters(net, pairs, measured);
  sum.rmse_one_factor_veh_h = sum.rmse_veh_h;
  result.rate_veh_s.resize(pairs.size());
  for (size_t k = 0; k < pairs.size(); ++k)
    result.rate_veh_s[k] = std::get<2>(pairs[k]) * sum.factor;
  if (sum.counted == 0)
    return result;
  // Each pair's counted links.
  auto paths = free_flow_paths(net, pairs);
  std::vector<std::vector<uint32_t>> counted(pairs.size());
  for (size_t k = 0; k < pairs.size(); ++k) {
    for (auto l : paths[k])
      if (counts(measured, l))
        counted[k].push_back(l);
    sum.pairs_fitted += !counted[k].empty();
  }
  auto load = [&](std::vector<double>& model) {
    std::fill(model.begin(), model.end(), 0.0);
    for (size_t k = 0; k < pairs.size(); ++k)
      for (auto l : paths[k])
        model[l] += result.rate_veh_s[k] * 3600;
  };
  std::vector<double> model(net.num_links(), 0);
  for (uint32_t it = 0; it < iterations; ++it) {
    load(model);
    for (size_t k = 0; k < pairs.size(); ++k) {
      if (counted[k].empty())
        continue;
      double ratio = 0;
      for (auto l : counted[k])
        ratio += model[l] > 0 ? measured[l] / model[l] : 1;
      auto one = std::get<2>(pairs[k]) * sum.factor;
      result.rate_veh_s[k]
        = std::clamp(result.rate_veh_s[k] * ratio / counted[k].size(),
                     one / max_factor, one * max_factor);
    }
  }
  load(model);
  sum.rmse_veh_h = rmse(model, measured, &sum.modelled_veh_h);
  double total = 0, level1 = 0;
  for (size_t k = 0; k < pairs.size(); ++k) {
    total += result.rate_veh_s[k];
    level1 += std::get<2>(pairs[k]);
  }
  sum.factor = level1 > 0 ? total / level1 : 1;
  return result;
}

} // namespace citytwin::scenarios
