// scenarios/import_network_command.cpp: `citytwin import-network`.
#include "scenarios/import_network_command.hpp"

#include <CLI/CLI.hpp>

#include "scenarios/assignment/tntp_reader.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"
#include "twin/import/sumo_network.hpp"
#include "twin/import/tntp_network.hpp"

#include <iostream>

namespace citytwin::scenarios {

namespace {

struct import_options {
  std::string sumo_net;
  std::string tntp_net;
  std::string tntp_node;
  bool planar = false;
  double metres_per_unit = 0.3048; // TNTP planar files are mostly in feet
  std::vector<double> anchor;      // lon, lat
  std::string name = "imported";
  int utc_offset_min = 0;
  std::string output;
};

caf::expected<twin::city> import_sumo(const import_options& opts) {
  twin::import::sumo_network_options sumo;
  if (opts.anchor.size() == 2)
    sumo.anchor = twin::geo_point{opts.anchor[0], opts.anchor[1]};
  auto net = twin::import::load_sumo_network(opts.sumo_net, sumo);
  if (!net)
    return std::move(net.error());
  const auto& r = net->report;
  std::cerr << "import-network: " << r.num_edges << " edges, " << r.num_lanes
            << " lanes, " << r.num_junctions << " junctions, "
            << r.num_traffic_lights << " traffic lights; skipped "
            << r.num_internal_edges << " internal edges, " << r.num_crossings
            << " crossings, " << r.num_walking_areas << " walking areas\n";
  for (const auto& w : r.warnings)
    std::cerr << "warning: " << w << '\n';
  return twin::import::make_city(std::move(*net), opts.name,
                                 opts.utc_offset_min);
}

caf::expected<twin::city> import_tntp(const import_options& opts) {
  namespace sa = scenarios::assignment;
  auto network = sa::read_network(opts.tntp_net);
  auto positions = sa::read_nodes(opts.tntp_node);
  std::string problems;
  for (const auto* errors : {network ? nullptr : &network.errors(),
                             positions ? nullptr : &positions.errors()})
    if (errors)
      for (const auto& e : *errors)
        problems += "\n" + sa::to_string(e);
  if (!problems.empty())
    return caf::make_error(twin::errc::invalid_city, problems);
  // The assignment reader numbers nodes from 0, TNTP files from 1.
  std::vector<twin::import::tntp_node> nodes;
  for (const auto& p : positions.value())
    nodes.push_back({static_cast<uint32_t>(p.node + 1), p.x, p.y});
  std::vector<twin::import::tntp_link> links;
  for (const auto& l : network.value().links())
    links.push_back({static_cast<uint32_t>(l.from + 1),
                     static_cast<uint32_t>(l.to + 1), l.capacity, l.length,
                     l.free_flow_time, 0});
  twin::import::tntp_network_options tntp;
  if (opts.planar) {
    tntp.coordinates = twin::import::tntp_coordinates::planar;
    tntp.metres_per_unit = opts.metres_per_unit;
    if (opts.anchor.size() == 2)
      tntp.anchor = {opts.anchor[0], opts.anchor[1]};
  }
  auto converted = twin::import::convert_tntp(nodes, links, tntp);
  if (!converted)
    return std::move(converted.error());
  twin::city result;
  result.name = opts.name;
  result.utc_offset_min = opts.utc_offset_min;
  result.roads = std::move(converted->roads);
  auto all = result.roads.intersections();
  for (auto* v : all) {
    result.center.lon += v->where.lon / double(all.size());
    result.center.lat += v->where.lat / double(all.size());
  }
  std::cerr << "import-network: " << converted->report.num_nodes << " nodes, "
            << converted->report.num_links << " links ("
            << converted->report.num_speed_capped << " speeds capped, "
            << converted->report.num_length_floored
            << " zero lengths set to 1 m)\n";
  return result;
}

} // namespace

void add_import_network_command(CLI::App& app) {
  auto opts = std::make_shared<import_options>();
  auto* cmd = app.add_subcommand(
      "import-network",
      "Turn a SUMO or TNTP road network into a city file (roads only)");
  auto* sumo = cmd->add_option("--sumo", opts->sumo_net, "SUMO .net.xml")
                   ->check(CLI::ExistingFile);
  auto* tntp = cmd->add_option("--tntp-net", opts->tntp_net, "TNTP _net file")
                   ->check(CLI::ExistingFile);
  cmd->add_option("--tntp-node", opts->tntp_node,
                  "TNTP _node file with positions")
      ->check(CLI::ExistingFile)
      ->needs(tntp);
  tntp->needs("--tntp-node");
  sumo->excludes(tntp);
  cmd->add_flag("--planar", opts->planar,
                "TNTP node positions are planar, not lon/lat");
  cmd->add_option("--metres-per-unit", opts->metres_per_unit,
                  "Planar TNTP coordinate unit in metres")
      ->capture_default_str();
  cmd->add_option("--anchor", opts->anchor,
                  "lon lat of the network's origin (SUMO nets without a "
                  "projection; planar TNTP: south-west corner)")
      ->expected(2);
  cmd->add_option("--name", opts->name, "City name")->capture_default_str();
  cmd->add_option("--utc-offset", opts->utc_offset_min,
                  "Local standard time offset from UTC, minutes");
  cmd->add_option("-o,--output", opts->output, "City file to write")
      ->required();
  cmd->callback([opts] {
    if (opts->sumo_net.empty() && opts->tntp_net.empty()) {
      std::cerr << "import-network: give --sumo or --tntp-net/--tntp-node\n";
      throw CLI::RuntimeError(2);
    }
    auto c = opts->sumo_net.empty() ? import_tntp(*opts) : import_sumo(*opts);
    if (!c) {
      std::cerr << "import-network: " << twin::describe(c.error()) << '\n';
      throw CLI::RuntimeError(2);
    }
    if (auto err = twin::save_city(opts->output, *c)) {
      std::cerr << "import-network: " << twin::describe(err) << '\n';
      throw CLI::RuntimeError(1);
    }
    std::cerr << "import-network: " << c->roads.num_segments() << " segments, "
              << c->roads.num_intersections() << " intersections -> "
              << opts->output << '\n';
  });
}

} // namespace citytwin::scenarios
