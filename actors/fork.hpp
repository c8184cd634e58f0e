// actors/fork.hpp
#pragma once

#include "twin/entity_state.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace citytwin::actors {

// A fork is a copy of the live state of some entity kinds, taken from the
// actors that own it, for a what-if run that must not touch the live twin.
//
// Consistency: a ROUTER asks its entities for their state with a marker
// message sent after every reading it routed before the fork request, so
// each entity's copy holds exactly the readings its router routed before
// the request (CAF keeps the order per sender and receiver). Entities never
// message each other, so the per-shard cuts together form a consistent cut
// of the twin: no copy reflects a message sent after it was taken.

/// Where the entities of one shard put their copies: a slot each, filled
/// concurrently (one writer per slot), so a million copies cost a message
/// per entity and no reply. The entity that fills the last slot calls
/// `done` (on its own thread; it must only send a message).
struct fork_buffer {
  std::vector<twin::entity_state> states;
  std::atomic<size_t> pending{0};
  std::function<void()> done;

  /// Stores one entity's state in its slot; calls `done` after the last.
  void fill(uint32_t slot, const twin::entity_state& state) {
    states[slot] = state;
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1)
      done();
  }
};

/// The marker a ROUTER sends to each entity it forks: which slot to fill.
/// Carries a pointer, so it never leaves the process (a multi-node twin
/// forks each node's shards there and ships the `fork_part`s).
struct fork_slot {
  std::shared_ptr<fork_buffer> buffer;
  uint32_t slot = 0;
};

/// What one shard's ROUTER returns: the copies of its entities of the
/// requested kinds, in no particular order.
struct fork_part {
  uint32_t shard = 0;
  std::vector<twin::entity_state> states;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, fork_part& x) {
  return f(caf::meta::type_name("fork_part"), x.shard, x.states);
}

/// What the TWIN returns: one city's fork, all shards together.
struct twin_fork {
  std::string city;
  /// The newest reading time among the copies: the fork is "as of" then.
  twin::time_ms as_of = 0;
  std::vector<twin::entity_state> states;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, twin_fork& x) {
  return f(caf::meta::type_name("twin_fork"), x.city, x.as_of, x.states);
}

} // namespace citytwin::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(citytwin::actors::fork_slot)
