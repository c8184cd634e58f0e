// scenarios/dynamic/demand.hpp
#pragma once

#include "scenarios/dynamic/road_network.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::scenarios::dynamic {

/// One vehicle trip: it enters at the start of `origin_link` no earlier
/// than `depart_s` and arrives at the end of `destination_link`.
struct trip {
  double depart_s = 0;
  uint32_t origin_link = none;
  uint32_t destination_link = none;
  /// An explicit route (origin .. destination) in demand::route_links, or
  /// `none`: the vehicle follows the current fastest-path trees.
  uint32_t route_begin = none;
  uint32_t route_size = 0;
  uint32_t parking = none; ///< the car park whose exit gates its start
  uint16_t group = 0;      ///< index into demand::group_names
  /// A trip to a place (a zone), not to a road: it arrives at the end of
  /// whichever road into `destination_link`'s downstream node it takes.
  /// Trips to one node share one fastest-path tree, where trips to a road
  /// need a tree per road's upstream node.
  bool to_node = false;
  /// Seconds of its origin link already driven when it departs: a vehicle
  /// that was on that road when the live twin was forked (0: it enters
  /// at the start of the link).
  float on_link_s = 0;
};

/// A car park's exit onto the road: vehicles leave at most at this rate.
struct parking_exit {
  std::string name;
  uint32_t link = none; ///< vehicles enter the network at its start
  float exit_veh_s = 0;
};

/// All trips of a run, sorted by nothing in particular (the model sorts).
struct demand {
  std::vector<trip> trips;
  std::vector<uint32_t> route_links;
  std::vector<parking_exit> parkings;
  /// Trip groups reported apart: "background", then one per event.
  std::vector<std::string> group_names{"background"};

  /// Adds a trip with an explicit route (at least one link).
  void add_routed(double depart_s, const std::vector<uint32_t>& route,
                  uint16_t group = 0, uint32_t parking = none) {
    trip t;
    t.depart_s = depart_s;
    t.origin_link = route.front();
    t.destination_link = route.back();
    t.route_begin = static_cast<uint32_t>(route_links.size());
    t.route_size = static_cast<uint32_t>(route.size());
    t.parking = parking;
    t.group = group;
    route_links.insert(route_links.end(), route.begin(), route.end());
    trips.push_back(t);
  }

  /// Adds a vehicle already `on_link_s` seconds along `link` at
  /// `depart_s`, routed by the model to the downstream node of
  /// `destination` (as `add_to_node`).
  void add_on_road(double depart_s, uint32_t link, float on_link_s,
                   uint32_t destination, uint16_t group) {
    add_to_node(depart_s, link, destination, group);
    trips.back().on_link_s = on_link_s;
  }

  /// Adds a trip to the downstream node of `entering` (a zone), routed
  /// by the model; it may arrive by any road into that node.
  void add_to_node(double depart_s, uint32_t origin, uint32_t entering,
                   uint16_t group = 0, uint32_t parking = none) {
    add_open(depart_s, origin, entering, group, parking);
    trips.back().to_node = true;
  }

  /// Adds a trip that is routed by the model.
  void add_open(double depart_s, uint32_t origin, uint32_t destination,
                uint16_t group = 0, uint32_t parking = none) {
    trip t;
    t.depart_s = depart_s;
    t.origin_link = origin;
    t.destination_link = destination;
    t.parking = parking;
    t.group = group;
    trips.push_back(t);
  }
};

} // namespace citytwin::scenarios::dynamic
