// scenarios/sumo_check.cpp
#include "scenarios/sumo_check.hpp"

#include "scenarios/sumo_process.hpp"

#include "scenarios/dynamic/queue_model.hpp"
#include "scenarios/dynamic/run_serial.hpp"
#include "scenarios/dynamic/sumo_bridge.hpp"
#include "twin/error.hpp"
#include "twin/import/sumo_network.hpp"
#include "twin/import/sumo_routes.hpp"
#include "twin/import/sumo_tl_programs.hpp"

#include <filesystem>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace citytwin::scenarios {

namespace {

namespace fs = std::filesystem;

// Why 2100 veh/h per lane: SUMO meso's default headways (tau_ff 1.13 s,
// tau_jf 1.73 s, tau_jj 1.4 s) let 2,100 to 3,200 veh/h leave a lane; a
// queue discharging into a free road leaves at tau_jf, 2,080 veh/h. (It
// was 2600 while the model dropped the fraction of a vehicle a link
// could not let out in a step, which cut a one-lane link to 1,800 veh/h
// and a two-lane link to 3,600.)

struct files {
  std::string net, routes, vtypes, busses, tls, stops;
};

files files_of(const sumo_check_options& opts) {
  auto dir = opts.sumo_dir + "/" + opts.scenario + "/";
  auto base = dir + opts.scenario;
  return {base + "_buslanes.net.xml", base + ".rou.xml",
          base + "_vtypes.add.xml",   base + "_busses.add.xml",
          base + "_tls.add.xml",      base + "_bus_stops.add.xml"};
}

double cpu_s(const rusage& r) {
  return cpu_seconds_of(r);
}

} // namespace

bool sumo_scenario_available(const sumo_check_options& opts) {
  auto f = files_of(opts);
  for (const auto& p : {f.net, f.routes, f.vtypes, f.busses, f.tls, f.stops})
    if (!fs::exists(p))
      return false;
  return !opts.run_sumo || fs::exists(opts.sumo_binary);
}

caf::expected<sumo_check_result>
check_against_sumo(const sumo_check_options& opts) {
  if (opts.scenario != "acosta" && opts.scenario != "joined")
    return caf::make_error(twin::errc::invalid_config,
                           "scenario must be acosta or joined");
  if (!sumo_scenario_available(opts))
    return caf::make_error(twin::errc::io_failure,
                           "SUMO's " + opts.scenario
                             + " scenario is not installed (apt-get "
                               "install sumo sumo-tools)");
  auto f = files_of(opts);
  sumo_check_result result;
  result.scenario = opts.scenario;
  rusage before{}, after{};
  getrusage(RUSAGE_THREAD, &before);
  // The Bologna nets have no projection; any anchor will do for a run.
  twin::import::sumo_network_options net_opts;
  net_opts.anchor = twin::geo_point{11.3426, 44.4949};
  auto net = twin::import::load_sumo_network(f.net, net_opts);
  if (!net)
    return std::move(net.error());
  if (auto tl = twin::import::load_sumo_tl_programs(f.tls, *net); !tl)
    return std::move(tl.error());
  twin::import::sumo_demand dem;
  for (const auto& p : {f.vtypes, f.routes, f.busses})
    if (auto err = twin::import::load_sumo_routes(p, dem))
      return err;
  dynamic::sumo_bridge_options bridge;
  bridge.saturation_veh_h_lane = opts.saturation_veh_h_lane;
  auto links = dynamic::make_road_network(*net, bridge);
  auto trips = dynamic::make_demand(dem, *net);
  if (!trips)
    return std::move(trips.error());
  dynamic::model_options mo;
  mo.horizon_s = 86400; // until the last vehicle arrives
  mo.reroute_period_s = 0; // SUMO runs these routes as given
  mo.num_partitions = opts.partitions;
  rusage sim_start{};
  getrusage(RUSAGE_THREAD, &sim_start);
  dynamic::queue_model model(links, *trips, mo);
  auto run = dynamic::run_serial(model);
  getrusage(RUSAGE_THREAD, &after);
  result.ours_sim_cpu_s = cpu_s(after) - cpu_s(sim_start);
  result.ours_cpu_s = cpu_s(after) - cpu_s(before);
  result.loaded = trips->trips.size();
  result.ours_done = run.counts.arrived;
  result.ours_teleports = run.counts.teleports;
  double sum = 0;
  for (const auto& t : run.trips)
    if (t.outcome == dynamic::trip_outcome::arrived)
      sum += t.duration_s();
  result.ours_mean_s = run.counts.arrived > 0 ? sum / run.counts.arrived : 0;
  if (!opts.run_sumo)
    return result;
  auto dir = fs::temp_directory_path()
             / ("citytwin-sumo-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto tripinfo = (dir / "tripinfo.xml").string();
  auto cpu = run_sumo(
    opts.sumo_binary,
    {"-n", f.net, "-r", f.routes, "-a",
     f.vtypes + "," + f.stops + "," + f.busses + "," + f.tls, "--no-step-log",
     "--mesosim", "--meso-junction-control", "--tripinfo-output", tripinfo,
     "--no-warnings", "--log", tripinfo + ".log"},
    tripinfo + ".log");
  caf::error err;
  if (cpu) {
    result.sumo_cpu_s = *cpu;
    double sum = 0;
    err = read_tripinfo(tripinfo, [&](std::string_view, double duration) {
      sum += duration;
      ++result.sumo_done;
    });
    result.sumo_mean_s = result.sumo_done > 0 ? sum / result.sumo_done : 0;
  } else {
    err = std::move(cpu.error());
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (err)
    return err;
  return result;
}

} // namespace citytwin::scenarios
