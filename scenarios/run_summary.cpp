// scenarios/run_summary.cpp
#include "scenarios/run_summary.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::scenarios {

namespace {

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = static_cast<size_t>(std::ceil(p * sorted.size())) - 1;
  return sorted[std::min(i, sorted.size() - 1)];
}

} // namespace

run_summary summarize(const dynamic::road_network& net,
                      const dynamic::demand& trips,
                      const dynamic::model_result& result) {
  run_summary out;
  out.counts = result.counts;
  auto num_groups = trips.group_names.size();
  out.groups.resize(num_groups);
  std::vector<std::vector<double>> durations(num_groups);
  std::vector<double> delay_sum(num_groups, 0);
  for (size_t g = 0; g < num_groups; ++g)
    out.groups[g].name = trips.group_names[g];
  for (size_t i = 0; i < trips.trips.size(); ++i) {
    const auto& rec = result.trips[i];
    auto& g = out.groups[trips.trips[i].group];
    ++g.trips;
    switch (rec.outcome) {
      case dynamic::trip_outcome::arrived:
        ++g.arrived;
        durations[trips.trips[i].group].push_back(rec.duration_s());
        delay_sum[trips.trips[i].group]
          += rec.inserted_s - trips.trips[i].depart_s;
        g.last_arrival_s = std::max(g.last_arrival_s, rec.arrived_s);
        break;
      case dynamic::trip_outcome::en_route: ++g.en_route; break;
      case dynamic::trip_outcome::waiting: ++g.waiting; break;
      case dynamic::trip_outcome::unroutable: ++g.unroutable; break;
    }
  }
  for (size_t g = 0; g < num_groups; ++g) {
    auto& d = durations[g];
    if (d.empty())
      continue;
    std::sort(d.begin(), d.end());
    double sum = 0;
    for (auto x : d)
      sum += x;
    out.groups[g].mean_s = sum / d.size();
    out.groups[g].p50_s = percentile(d, 0.5);
    out.groups[g].p95_s = percentile(d, 0.95);
    out.groups[g].max_s = d.back();
    out.groups[g].mean_delay_s = delay_sum[g] / d.size();
  }
  const auto& s = result.links;
  auto num_links = s.num_links;
  for (uint32_t l = 0; l < num_links; ++l) {
    auto free_kmh = net.length_m[l] / net.free_time_s[l] * 3.6;
    // Uncongested time: free flow plus the mean red wait of its signal, so
    // a signal alone does not count as congestion.
    double usual_s = net.free_time_s[l];
    if (auto g = net.gate[l]; g != dynamic::none) {
      auto red = 1 - net.green_share(g);
      usual_s += red * red * net.gates[g].cycle_s / 2;
    }
    auto usual_kmh = net.length_m[l] / usual_s * 3.6;
    congestion_episode open;
    bool in_episode = false;
    for (size_t k = 0; k <= s.num_intervals(); ++k) {
      bool congested = false;
      if (k < s.num_intervals()) {
        auto idx = k * num_links + l;
        congested = s.speed_km_h[idx] < congested_speed_share * usual_kmh
                    || s.queue_veh[idx] >= 0.5 * net.storage_veh[l];
        if (congested) {
          if (!in_episode) {
            open = {net.segment[l], k * s.interval_s, 0, 0,
                    static_cast<float>(free_kmh)};
            in_episode = true;
          }
          open.max_queue_veh = std::max(open.max_queue_veh, s.queue_veh[idx]);
          open.min_speed_km_h = std::min(open.min_speed_km_h,
                                         s.speed_km_h[idx]);
        }
      }
      if (!congested && in_episode) {
        open.to_s = k * s.interval_s;
        out.congestion.push_back(open);
        in_episode = false;
      }
    }
  }
  std::stable_sort(out.congestion.begin(), out.congestion.end(),
                   [](auto& a, auto& b) {
                     return a.to_s - a.from_s > b.to_s - b.from_s;
                   });
  return out;
}

} // namespace citytwin::scenarios
