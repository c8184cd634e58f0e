// actors/city_twin.hpp
#pragma once

#include "actors/directory.hpp"
#include "actors/interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <string>
#include <vector>

namespace citytwin::actors {

/// State of the TWIN actor: one city's shards.
struct city_twin_state {
  static inline const char* name = "city_twin";

  std::string city;
  std::shared_ptr<const directory> entities;
  std::vector<router_actor> routers;
  std::vector<publisher_actor> publishers;
};

/// The behavior of the TWIN actor.
twin_actor::behavior_type
city_twin(twin_actor::stateful_pointer<city_twin_state> self, std::string city,
          std::shared_ptr<const directory> entities,
          std::vector<router_actor> routers,
          std::vector<publisher_actor> publishers);

} // namespace citytwin::actors
