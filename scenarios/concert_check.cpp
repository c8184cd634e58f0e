// scenarios/concert_check.cpp
#include "scenarios/concert_check.hpp"

#include "scenarios/dynamic/queue_model.hpp"
#include "scenarios/dynamic/run_serial.hpp"
#include "scenarios/dynamic/sumo_bridge.hpp"
#include "scenarios/sumo_process.hpp"
#include "twin/error.hpp"
#include "twin/geo.hpp"
#include "twin/import/sumo_network.hpp"
#include "twin/import/xml_reader.hpp"
#include "twin/random.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>
#include <unistd.h>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace citytwin::scenarios {

namespace {

namespace fs = std::filesystem;

// The recipe's constants (notes/simulation.md §6.3).
constexpr double background_until_s = 5400;
constexpr double fringe_factor = 5;     // randomTrips --fringe-factor 5
constexpr double min_distance_m = 500;  // randomTrips --min-distance 500
constexpr double event_from_s = 1800, event_to_s = 3600;
constexpr double event_origin_radius_m = 700;
constexpr double event_far_m = 1000;
constexpr double event_fringe_share = 0.6;

struct one_trip {
  double depart_s = 0;
  uint32_t origin = 0, destination = 0; // links
  bool event = false;
  uint32_t number = 0; // within its group
};

// Links that admit passenger cars, where they are, and which lie at the
// network's edge (SUMO's "fringe": nothing but the way back enters the
// start of a source, or leaves the end of a sink).
struct car_links {
  std::vector<uint32_t> all;
  std::vector<twin::geo_point> middle; // by link
  std::vector<double> from_centre_m;   // by link
  std::vector<uint32_t> sources, sinks;
};

car_links find_car_links(const twin::import::sumo_network& net,
                         const dynamic::road_network& links) {
  car_links result;
  auto n = links.num_links();
  result.middle.resize(n);
  result.from_centre_m.assign(n, 0);
  std::vector<bool> car(n, false);
  for (uint32_t l = 0; l < n; ++l) {
    auto seg = links.segment[l];
    car[l] = net.segment_details[seg].car_lanes > 0;
    auto* s = net.roads.find_segment(seg);
    auto* a = net.roads.find_intersection(s->from);
    auto* b = net.roads.find_intersection(s->to);
    result.middle[l] = twin::interpolate(a->where, b->where, 0.5);
    result.from_centre_m[l] = twin::distance_m(result.middle[l], net.center);
    if (car[l])
      result.all.push_back(l);
  }
  for (auto l : result.all) {
    bool other_in = false, other_out = false;
    auto from = links.from[l], to = links.to[l];
    for (auto k = links.in_begin[from]; k < links.in_begin[from + 1]; ++k) {
      auto m = links.in_links[k];
      other_in = other_in || (car[m] && links.from[m] != to);
    }
    for (auto k = links.out_begin[to]; k < links.out_begin[to + 1]; ++k) {
      auto m = links.out_links[k];
      other_out = other_out || (car[m] && links.to[m] != from);
    }
    if (!other_in)
      result.sources.push_back(l);
    if (!other_out)
      result.sinks.push_back(l);
  }
  return result;
}

// One link of `all`, fringe ones (`fringe`) `fringe_factor` times as
// likely as the others.
uint32_t pick_weighted(const std::vector<uint32_t>& all,
                       const std::vector<uint32_t>& fringe,
                       twin::random_stream& rng) {
  auto weight_all = double(all.size());
  auto weight_fringe = (fringe_factor - 1) * double(fringe.size());
  if (rng.uniform() * (weight_all + weight_fringe) < weight_all)
    return all[rng.below(all.size())];
  return fringe[rng.below(fringe.size())];
}

std::vector<one_trip> make_trips(const concert_check_options& opts,
                                 const car_links& cars) {
  twin::random_stream rng(opts.seed);
  std::vector<one_trip> result;
  auto cents = [](double t) { return std::round(t * 100) / 100; };
  for (uint32_t i = 0; i < opts.background_trips; ++i) {
    one_trip t;
    t.depart_s = cents(rng.uniform(0, background_until_s));
    t.number = i;
    // randomTrips redraws until the ends are far enough apart.
    for (int attempt = 0; attempt < 1000; ++attempt) {
      t.origin = pick_weighted(cars.all, cars.sources, rng);
      t.destination = pick_weighted(cars.all, cars.sinks, rng);
      if (t.origin != t.destination
          && twin::distance_m(cars.middle[t.origin],
                              cars.middle[t.destination])
               >= min_distance_m)
        break;
    }
    result.push_back(t);
  }
  std::vector<uint32_t> central, far;
  for (auto l : cars.all) {
    if (cars.from_centre_m[l] <= event_origin_radius_m)
      central.push_back(l);
    if (cars.from_centre_m[l] > event_far_m)
      far.push_back(l);
  }
  for (uint32_t i = 0; i < opts.event_trips && !central.empty(); ++i) {
    one_trip t;
    t.event = true;
    t.number = i;
    t.depart_s = cents(rng.uniform(event_from_s, event_to_s));
    t.origin = central[rng.below(central.size())];
    t.destination = rng.chance(event_fringe_share) && !cars.sinks.empty()
                      ? cars.sinks[rng.below(cars.sinks.size())]
                      : far[rng.below(far.size())];
    result.push_back(t);
  }
  // SUMO reads route files in departure order.
  std::stable_sort(result.begin(), result.end(), [](auto& a, auto& b) {
    return a.depart_s < b.depart_s;
  });
  return result;
}

std::string id_of(const one_trip& t) {
  return (t.event ? "ev" : "bg") + std::to_string(t.number);
}

caf::error write_routes(const std::string& path,
                        const std::vector<one_trip>& trips,
                        const twin::import::sumo_network& net,
                        const dynamic::road_network& links) {
  std::ofstream out{path};
  out << "<routes>\n";
  char depart[32];
  for (const auto& t : trips) {
    std::snprintf(depart, sizeof depart, "%.2f", t.depart_s);
    out << "  <trip id=\"" << id_of(t) << "\" depart=\"" << depart
        << "\" from=\"" << net.edge_ids[links.segment[t.origin]]
        << "\" to=\"" << net.edge_ids[links.segment[t.destination]]
        << "\"/>\n";
  }
  out << "</routes>\n";
  out.close();
  if (!out)
    return caf::make_error(twin::errc::io_failure, "cannot write " + path);
  return caf::none;
}

// The ids of the vehicles duarouter could route, as randomTrips
// --validate keeps them: a trip SUMO cannot route is not dropped by sumo
// --ignore-route-errors but "arrives" on its first edge, which would
// count as a very short trip.
caf::expected<std::unordered_set<std::string>>
routable_in_sumo(const concert_check_options& opts, const std::string& trips,
                 const std::string& routes) {
  auto duarouter
    = (fs::path{opts.sumo_binary}.parent_path() / "duarouter").string();
  auto cpu = run_sumo(duarouter,
                      {"-n", opts.net, "-r", trips, "-o", routes,
                       "--ignore-errors", "--no-warnings", "--no-step-log",
                       "--log", routes + ".log"},
                      routes + ".log");
  if (!cpu)
    return std::move(cpu.error());
  std::ifstream in{routes};
  if (!in)
    return caf::make_error(twin::errc::io_failure, "cannot open " + routes);
  std::unordered_set<std::string> result;
  twin::import::xml_callbacks cb;
  cb.on_start = [&](const twin::import::xml_element& e) {
    if (e.name() == "vehicle")
      result.emplace(e.attribute_or("id", ""));
  };
  if (auto err = twin::import::read_xml(in, routes, cb))
    return err;
  return result;
}

// True if a path leads from the end of `origin` to the start of
// `destination` in our network.
bool routable_in_ours(const dynamic::road_network& links, uint32_t origin,
                      uint32_t destination) {
  std::vector<char> seen(links.num_nodes, 0);
  std::vector<uint32_t> stack{links.to[origin]};
  seen[stack.front()] = 1;
  while (!stack.empty()) {
    auto n = stack.back();
    stack.pop_back();
    if (n == links.from[destination])
      return true;
    for (auto k = links.out_begin[n]; k < links.out_begin[n + 1]; ++k) {
      auto m = links.to[links.out_links[k]];
      if (!seen[m]) {
        seen[m] = 1;
        stack.push_back(m);
      }
    }
  }
  return false;
}

void add(concert_group& g, double duration) {
  g.mean_s += duration; // a sum until `finish`
  ++g.done;
}

void finish(concert_group& g) {
  g.mean_s = g.done > 0 ? g.mean_s / double(g.done) : 0;
}

} // namespace

bool concert_check_available(const concert_check_options& opts) {
  return fs::exists(opts.net)
         && (!opts.run_sumo || fs::exists(opts.sumo_binary));
}

caf::expected<concert_check_result>
check_concert_egress(const concert_check_options& opts) {
  if (!concert_check_available(opts))
    return caf::make_error(twin::errc::io_failure,
                           opts.net + " or " + opts.sumo_binary
                             + " is missing (apt-get install sumo "
                               "sumo-tools)");
  concert_check_result result;
  rusage before{}, after{};
  getrusage(RUSAGE_THREAD, &before);
  auto net = twin::import::load_sumo_network(
    opts.net, twin::import::sumo_network_options{});
  if (!net)
    return std::move(net.error());
  dynamic::sumo_bridge_options bridge;
  bridge.saturation_veh_h_lane = opts.saturation_veh_h_lane;
  auto links = dynamic::make_road_network(*net, bridge);
  rusage network_read{};
  getrusage(RUSAGE_THREAD, &network_read);
  auto cars = find_car_links(*net, links);
  auto trips = make_trips(opts, cars);
  result.generated = trips.size();
  auto temporary = opts.work_dir.empty();
  auto dir = temporary ? fs::temp_directory_path()
                           / ("citytwin-concert-" + std::to_string(::getpid()))
                       : fs::path{opts.work_dir};
  fs::create_directories(dir);
  auto cleanup = [&] {
    if (temporary) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  };
  auto candidates = (dir / "candidates.trips.xml").string();
  auto routes = (dir / "concert.rou.xml").string();
  auto tripinfo = (dir / "tripinfo.xml").string();
  // Only trips both models can route, the same for both.
  if (opts.run_sumo) {
    if (auto err = write_routes(candidates, trips, *net, links)) {
      cleanup();
      return err;
    }
    auto valid = routable_in_sumo(opts, candidates,
                                  (dir / "validated.rou.xml").string());
    if (!valid) {
      cleanup();
      return std::move(valid.error());
    }
    auto before_count = trips.size();
    trips.erase(std::remove_if(trips.begin(), trips.end(),
                               [&](const one_trip& t) {
                                 return valid->count(id_of(t)) == 0;
                               }),
                trips.end());
    result.dropped_sumo = before_count - trips.size();
  }
  auto before_ours = trips.size();
  trips.erase(std::remove_if(trips.begin(), trips.end(),
                             [&](const one_trip& t) {
                               return !routable_in_ours(links, t.origin,
                                                        t.destination);
                             }),
              trips.end());
  result.dropped_ours = before_ours - trips.size();
  dynamic::demand dem;
  dem.group_names = {"background", "event"};
  for (const auto& t : trips) {
    dem.add_open(t.depart_s, t.origin, t.destination, t.event ? 1 : 0);
    ++(t.event ? result.event_loaded : result.background_loaded);
  }
  rusage sim_start{};
  getrusage(RUSAGE_THREAD, &sim_start);
  dynamic::model_options mo;
  mo.horizon_s = opts.end_s;
  mo.reroute_period_s = opts.reroute_period_s;
  mo.num_partitions = opts.partitions;
  mo.seed = opts.seed;
  dynamic::queue_model model(links, dem, mo);
  auto run = dynamic::run_serial(model);
  getrusage(RUSAGE_THREAD, &after);
  // Reading the network and simulating; generating and validating the
  // trips is the experiment's, not the model's.
  result.ours_cpu_s = cpu_seconds_of(after) - cpu_seconds_of(sim_start)
                      + (cpu_seconds_of(network_read)
                         - cpu_seconds_of(before));
  result.ours_unroutable = run.counts.unroutable;
  result.ours_teleports = run.counts.teleports;
  std::unordered_map<std::string, double> ours_event;
  for (size_t i = 0; i < trips.size(); ++i) {
    const auto& r = run.trips[i];
    if (r.outcome != dynamic::trip_outcome::arrived)
      continue;
    if (trips[i].event) {
      add(result.ours_event, r.duration_s());
      ours_event.emplace(id_of(trips[i]), r.duration_s());
    } else {
      add(result.ours_background, r.duration_s());
    }
  }
  finish(result.ours_event);
  finish(result.ours_background);
  if (!temporary) {
    // Ours beside SUMO's tripinfo.xml, for a trip-by-trip comparison.
    std::ofstream out{dir / "citytwin.trips.csv"};
    out << "id,depart_s,inserted_s,arrived_s,duration_s,route_length_m,"
           "teleports\n";
    for (size_t i = 0; i < trips.size(); ++i) {
      const auto& r = run.trips[i];
      out << id_of(trips[i]) << ',' << trips[i].depart_s << ','
          << r.inserted_s << ',' << r.arrived_s << ','
          << (r.outcome == dynamic::trip_outcome::arrived ? r.duration_s()
                                                          : -1)
          << ',' << r.route_length_m << ',' << r.teleports << '\n';
    }
  }
  if (!opts.run_sumo) {
    cleanup();
    return result;
  }
  caf::error err = write_routes(routes, trips, *net, links);
  if (!err) {
    char end[32], period[32];
    std::snprintf(end, sizeof end, "%.0f", opts.end_s);
    std::snprintf(period, sizeof period, "%.0f", opts.reroute_period_s);
    auto cpu = run_sumo(opts.sumo_binary,
                        {"-n", opts.net, "-r", routes, "--end", end,
                         "--mesosim", "--meso-junction-control",
                         "--device.rerouting.probability", "1",
                         "--device.rerouting.period", period,
                         "--ignore-route-errors", "--no-step-log",
                         "--no-warnings", "--tripinfo-output", tripinfo,
                         "--log", tripinfo + ".log"},
                        tripinfo + ".log");
    if (cpu) {
      result.sumo_cpu_s = *cpu;
      double common_ours = 0, common_sumo = 0;
      err = read_tripinfo(tripinfo, [&](std::string_view id, double d) {
        if (id.substr(0, 2) != "ev") {
          add(result.sumo_background, d);
          return;
        }
        add(result.sumo_event, d);
        if (auto i = ours_event.find(std::string{id}); i != ours_event.end()) {
          ++result.common_event;
          common_ours += i->second;
          common_sumo += d;
        }
      });
      finish(result.sumo_event);
      finish(result.sumo_background);
      if (result.common_event > 0) {
        result.ours_common_mean_s = common_ours / result.common_event;
        result.sumo_common_mean_s = common_sumo / result.common_event;
      }
    } else {
      err = std::move(cpu.error());
    }
  }
  cleanup();
  if (err)
    return err;
  return result;
}

} // namespace citytwin::scenarios
