// twin/import/sumo_routes.hpp
#pragma once

#include <caf/error.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace citytwin::twin::import {

struct sumo_network;

/// A `<vType>`: the few attributes demand models use.
struct sumo_vehicle_type {
  std::string id;
  std::string vehicle_class = "passenger"; ///< SUMO's default vClass
  double length_m = 5;           ///< SUMO's default passenger length
  double max_speed_m_s = 55.55;  ///< SUMO's default passenger maxSpeed
  std::string distribution;      ///< enclosing vTypeDistribution, if any
  double probability = 1;        ///< weight within the distribution
};

/// Where a departure came from in the file.
enum class sumo_demand_kind : uint8_t { vehicle, trip, flow };

/// One vehicle entering the network: a `<vehicle>`, a `<trip>`, or one
/// vehicle of an expanded `<flow>`.
struct sumo_departure {
  std::string id;   ///< flows: "<flow id>.<i>", as SUMO names them
  std::string type; ///< vType or vTypeDistribution id
  double depart_s = 0;
  std::string from_edge;
  std::string to_edge;
  int32_t route = -1; ///< index into `sumo_demand::routes`; -1 = from/to only
  sumo_demand_kind kind = sumo_demand_kind::vehicle;
};

/// Counts of what the reader saw and skipped.
struct sumo_demand_report {
  size_t num_vehicles = 0;
  size_t num_trips = 0;
  size_t num_flows = 0;
  size_t num_flow_departures = 0; ///< vehicles from expanded flows
  size_t num_stops = 0;           ///< `<stop>`s, read past (not modelled)
  size_t num_persons_skipped = 0; ///< persons and containers
  size_t num_skipped = 0; ///< random flows, TAZ/junction trips: see warnings
  std::vector<std::string> warnings; ///< `file:line: message`
};

/// Demand from one or more `.rou.xml` / route `.add.xml` files.
struct sumo_demand {
  std::vector<sumo_vehicle_type> vehicle_types;
  std::vector<std::vector<std::string>> routes; ///< edge ids per route
  std::unordered_map<std::string, int32_t> route_by_id; ///< named routes
  std::vector<sumo_departure> departures; ///< sorted by depart (stable)
  sumo_demand_report report;
};

/// Flows without `end` run this long after `begin` (SUMO's 24 h default).
constexpr double sumo_default_flow_duration_s = 86400;

/// Reads SUMO demand and adds it to `demand`; routes named in earlier
/// files may be used. Flows are expanded deterministically: `period`,
/// `vehsPerHour` (period 3600/v), or `number` spread evenly over
/// [begin, end), departures at begin + i * period while before `end` and
/// below `number`. Random flows (`probability`, `period="exp(..)"`),
/// TAZ/junction trips, persons and containers are skipped with a warning
/// or count. Returns errc::invalid_city listing every problem as
/// `file:line: message` (malformed XML, a root other than `<routes>` or
/// `<additional>`, missing ids or times, unknown routes); `demand` is then
/// unchanged.
caf::error read_sumo_routes(std::istream& in, std::string_view file_name,
                            sumo_demand& demand);

/// Reads a route file from disk; errc::io_failure if it cannot be opened.
caf::error load_sumo_routes(const std::string& path, sumo_demand& demand);

/// Checks that every edge used by the demand exists in `net`; returns
/// errc::invalid_city naming each unknown edge (and its first user) once.
caf::error check_demand(const sumo_demand& demand, const sumo_network& net);

} // namespace citytwin::twin::import
