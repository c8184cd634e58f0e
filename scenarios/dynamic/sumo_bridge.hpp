// scenarios/dynamic/sumo_bridge.hpp
#pragma once

#include "scenarios/dynamic/demand.hpp"
#include "scenarios/dynamic/road_network.hpp"
#include "twin/import/sumo_network.hpp"
#include "twin/import/sumo_routes.hpp"

#include <caf/expected.hpp>

namespace citytwin::scenarios::dynamic {

/// How an imported SUMO network becomes a dynamic-model network.
struct sumo_bridge_options {
  /// Discharge of one lane in green (or with right of way), veh/h.
  double saturation_veh_h_lane = 1800;
  /// Yellow counts as lost time, as in the importer's g/C (HCM: effective
  /// green = green + yellow extension - start-up loss ~ displayed green).
  bool yellow_is_green = false;
};

/// The road network of an imported SUMO net: one link per normal edge,
/// signal gates from the active tlLogic programs that control each
/// edge's connections (a link may flow while any of its connections
/// shows green, at the rate that gives the importer's mean capacity:
/// saturation x each car lane's own g/C), the importer's capacity
/// elsewhere (priority roads at saturation, yielding approaches lower);
/// junction lengths add to route lengths as in SUMO micro.
road_network make_road_network(const twin::import::sumo_network& net,
                               const sumo_bridge_options& opts = {});

/// SUMO departures as explicitly routed trips (from/to-only trips become
/// open trips routed by the model). Unknown edges are an error.
caf::expected<demand> make_demand(const twin::import::sumo_demand& dem,
                                  const twin::import::sumo_network& net);

} // namespace citytwin::scenarios::dynamic
