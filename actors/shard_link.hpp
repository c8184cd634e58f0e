// actors/shard_link.hpp
#pragma once

#include "actors/interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <cstdint>
#include <deque>
#include <vector>

namespace citytwin::actors {

/// State of a SHARD LINK: where its shard lives now and what it sent there
/// lately, one entry per second (newest last).
struct shard_link_state {
  static inline const char* name = "shard_link";

  router_actor target;
  /// The target's node went away (its proxy is down): requests are
  /// refused at once, readings and creations only kept, until a move.
  bool target_down = false;
  uint32_t keep_s = 10;
  struct second {
    std::vector<twin::entity_id> created;
    twin::reading_batch readings;
  };
  std::deque<second> kept;
  size_t kept_readings = 0;
  /// Readings not kept because `max_kept` was reached (counted; they are
  /// still routed).
  uint64_t not_kept = 0;
  uint64_t resent = 0;
  uint64_t moves = 0;
};

/// At most this many readings are kept per link (about 40 MB).
inline constexpr size_t max_kept_readings = 1'000'000;

/// The behavior of a SHARD LINK to `target`, keeping `keep_s` seconds of
/// readings and creations for a move.
shard_link_actor::behavior_type
shard_link(shard_link_actor::stateful_pointer<shard_link_state> self,
           router_actor target, uint32_t keep_s);

} // namespace citytwin::actors
