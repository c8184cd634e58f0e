// twin/import/sumo_net_records.hpp
#pragma once

#include "twin/import/sumo_network.hpp"
#include "twin/import/sumo_projection.hpp"

#include <caf/expected.hpp>

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace citytwin::twin::import::detail {

/// The net file as read, before ids are resolved: the parser fills these
/// in file order, `build_network` checks and converts them.

struct raw_lane {
  double speed_m_s = 0;
  double length_m = 0;
  bool admits_cars = true; ///< allow/disallow admit vClass passenger
};

/// A lane of an internal edge: a piece of the way across a junction.
struct internal_lane {
  std::string edge;
  int index = 0;
  double length_m = 0;
};

struct raw_edge {
  std::string id;
  std::string from;
  std::string to;
  std::string name;
  std::string shape; ///< "x,y x,y ..." or empty
  size_t line = 0;
  std::vector<raw_lane> lanes;
};

struct raw_junction {
  std::string id;
  std::string type;
  double x = 0;
  double y = 0;
  size_t line = 0;
};

struct raw_connection {
  std::string from;
  std::string to;
  int from_lane = 0;
  int to_lane = 0;
  std::string dir;
  std::string state;
  std::string tl;
  int link_index = -1;
  std::string via;
  size_t line = 0;
};

struct net_records {
  std::string file;
  std::string version;
  std::optional<sumo_location> location;
  size_t location_line = 0;
  std::vector<raw_edge> edges;
  std::vector<raw_junction> junctions;
  std::vector<raw_connection> connections;
  std::vector<sumo_tl_logic> tl_logics;
  /// Internal, crossing and walking-area edges: connections may name them.
  std::unordered_set<std::string> skipped_edges;
  /// Lanes of internal edges by lane id, for the lengths of `via`s.
  std::unordered_map<std::string, internal_lane> internal_lanes;
  size_t num_internal_edges = 0;
  size_t num_crossings = 0;
  size_t num_walking_areas = 0;
  size_t num_internal_junctions = 0;
  std::vector<std::string> problems; ///< `file:line: message`
  std::vector<std::string> warnings; ///< `file:line: message`

  void problem(size_t line, std::string message) {
    problems.push_back(file + ":" + std::to_string(line) + ": " + message);
  }

  void warn(size_t line, std::string message) {
    warnings.push_back(file + ":" + std::to_string(line) + ": " + message);
  }
};

/// Resolves ids, georeferences and sizes the network. Returns every
/// problem (the parser's and its own) as one errc::invalid_city error.
caf::expected<sumo_network> build_network(net_records records,
                                          const sumo_network_options& opts);

} // namespace citytwin::twin::import::detail
