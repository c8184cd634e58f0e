// twin/city.cpp
#include "twin/city.hpp"

#include "twin/entity_state.hpp"

#include <algorithm>

namespace citytwin::twin {

size_t city::count(entity_kind kind) const {
  if (kind == entity_kind::road_segment)
    return roads.num_segments();
  if (kind == entity_kind::intersection)
    return roads.num_intersections();
  return static_cast<size_t>(
      std::count_if(things.begin(), things.end(),
                    [kind](const placement& p) { return p.id.kind == kind; }));
}

std::vector<entity_id> city::entity_ids() const {
  std::vector<entity_id> result;
  result.reserve(num_entities());
  for (auto* v : roads.intersections())
    result.push_back({entity_kind::intersection, v->number});
  for (auto* s : roads.segments())
    result.push_back({entity_kind::road_segment, s->number});
  for (const auto& p : things)
    result.push_back(p.id);
  std::stable_sort(result.begin(), result.end(),
                   [](entity_id a, entity_id b) { return a.kind < b.kind; });
  return result;
}

entity_state initial_state(const intersection_info& x) {
  auto result = make_state({entity_kind::intersection, x.number});
  result.as<intersection_state>().num_phases = x.num_phases;
  return result;
}

entity_state initial_state(const segment_info& x) {
  auto result = make_state({entity_kind::road_segment, x.number});
  auto& st = result.as<road_segment_state>();
  st.speed_limit_kmh = x.speed_limit_kmh;
  st.capacity_veh_h = x.capacity_veh_h;
  return result;
}

entity_state initial_state(const placement& x) {
  auto result = make_state(x.id);
  // `rating` means something different per kind; kinds without a static
  // rating ignore it.
  switch (x.id.kind) {
    case entity_kind::street_lamp:
      result.as<street_lamp_state>().rated_power_w = x.rating;
      break;
    case entity_kind::waste_bin:
      result.as<waste_bin_state>().capacity_l = x.rating;
      break;
    case entity_kind::parking_sensor: {
      auto& st = result.as<parking_sensor_state>();
      st.capacity = static_cast<uint32_t>(x.rating);
      st.free = st.capacity;
      break;
    }
    default:
      break;
  }
  return result;
}

} // namespace citytwin::twin
