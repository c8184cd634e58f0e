// twin/city.hpp
#pragma once

#include "twin/city_graph.hpp"
#include "twin/entity_id.hpp"
#include "twin/entity_state.hpp"
#include "twin/geo.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::twin {

/// A thing placed beside a road: a lamp, a bin or a sensor. Its static
/// attributes (rated power, capacity) seed its live state.
struct placement {
  entity_id id;
  uint32_t segment = 0; ///< the road segment it stands beside
  geo_point where;
  double rating = 0; ///< rated power (W), capacity (l or spaces); kind-specific
};

/// A whole city: the road network and everything placed along it.
struct city {
  std::string name;       ///< appears in URNs and topics: [A-Za-z0-9_-]+
  geo_point center;       ///< used for sunrise/sunset and map views
  int utc_offset_min = 0; ///< local standard time, for diurnal profiles
  city_graph roads;
  std::vector<placement> things; ///< lamps, bins, sensors

  /// Number of entities of every kind (segments and intersections too).
  size_t num_entities() const {
    return roads.num_intersections() + roads.num_segments() + things.size();
  }

  /// Number of entities of one kind.
  size_t count(entity_kind kind) const;

  /// Every entity id, grouped by kind in `all_entity_kinds` order.
  std::vector<entity_id> entity_ids() const;
};

/// The initial live state of an entity, with its static attributes filled
/// in from the city (speed limits, capacities, rated power, signal phases).
entity_state initial_state(const intersection_info& x);
entity_state initial_state(const segment_info& x);
entity_state initial_state(const placement& x);

/// Calls `f(const entity_state&)` with the initial state of every entity,
/// in the order of `city::entity_ids`, in one pass.
template <class F>
void for_each_initial_state(const city& c, F&& f);

template <class F>
void for_each_initial_state(const city& c, F&& f) {
  for (auto kind : all_entity_kinds) {
    if (kind == entity_kind::road_segment) {
      for (auto* s : c.roads.segments())
        f(initial_state(*s));
    } else if (kind == entity_kind::intersection) {
      for (auto* v : c.roads.intersections())
        f(initial_state(*v));
    } else {
      for (const auto& p : c.things)
        if (p.id.kind == kind)
          f(initial_state(p));
    }
  }
}

} // namespace citytwin::twin
