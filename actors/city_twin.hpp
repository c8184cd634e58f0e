// actors/city_twin.hpp
#pragma once

#include "actors/directory.hpp"
#include "actors/interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace citytwin::actors {

/// State of the TWIN actor: one city's shards.
struct city_twin_state {
  static inline const char* name = "city_twin";

  std::string city;
  std::shared_ptr<const directory> entities;
  std::vector<router_actor> routers;
  std::vector<publisher_actor> publishers;
  /// On a cluster, by shard: the SHARD LINK that is `routers[i]`.
  std::vector<shard_link_actor> links;
  /// On a cluster, by shard: its PUBLISHER's node went away (and the shard
  /// has not moved since); asking it would wait forever.
  std::vector<bool> publisher_down;
  /// Who subscribed to the twin, with what filter: on a cluster, shards
  /// that move to another node get the same subscribers there.
  std::vector<std::pair<subscriber_actor, subscription_filter>> subscribers;
};

/// The behavior of the TWIN actor.
twin_actor::behavior_type
city_twin(twin_actor::stateful_pointer<city_twin_state> self, std::string city,
          std::shared_ptr<const directory> entities,
          std::vector<router_actor> routers,
          std::vector<publisher_actor> publishers,
          std::vector<shard_link_actor> links);

} // namespace citytwin::actors
