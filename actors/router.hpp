// actors/router.hpp
#pragma once

#include "actors/directory.hpp"
#include "actors/interfaces.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <memory>
#include <unordered_map>

namespace citytwin::actors {

/// State of a ROUTER: the shared directory, the entities of its shard
/// created at runtime, and counters.
struct router_state {
  static inline const char* name = "router";

  std::shared_ptr<const directory> entities;
  /// The PUBLISHER of this shard, for entities created here.
  publisher_actor publisher;
  /// Where every command's outcome is recorded.
  audit_actor audit;
  /// The city's name, for the URNs in audit entries.
  std::string city;
  /// Entities created at runtime. The directory is shared read-only by
  /// every router, so each router keeps its own shard's additions; the
  /// ingest edge bounds how many there are.
  std::unordered_map<twin::entity_id, entity_actor> created;
  router_stats stats;
  /// This router's shard and how many there are, to fork only its own.
  uint32_t shard = 0;
  uint32_t num_shards = 1;
  /// Forks under way: their buffers and who asked.
  struct pending_fork {
    std::shared_ptr<fork_buffer> buffer;
    caf::typed_response_promise<fork_part> reply;
  };
  std::unordered_map<uint64_t, pending_fork> forks;
  uint64_t next_fork = 0;

  /// The actor of `id`, booted with the city or created here; nullptr if
  /// neither.
  const entity_actor* find(twin::entity_id id) const {
    if (auto* result = entities->find(id))
      return result;
    if (created.empty())
      return nullptr;
    auto i = created.find(id);
    return i == created.end() ? nullptr : &i->second;
  }

  /// True if `id` may be created: a sensor kind and not taken. Counts a
  /// refusal otherwise.
  bool may_create(twin::entity_id id);

  /// Records an entity created at runtime.
  void add_created(twin::entity_id id, entity_actor handle);

  /// Records a command's outcome in the audit log.
  void audit_command(const twin::command& x, const caf::error& refusal);

  /// Groups `readings` by target, keeping each target's readings in their
  /// arrival order, and calls `send(actor, first, last)` once per known
  /// target with the range of its readings. Readings for unknown ids are
  /// counted and dropped.
  template <class Send>
  void route(twin::reading_batch& readings, Send&& send);
};

template <class Send>
void router_state::route(twin::reading_batch& readings, Send&& send) {
  stats.readings += readings.size();
  // Adapters usually deliver a sensor's readings together (a SenML pack);
  // a stable sort keeps the time order within each target.
  auto by_target = [](const twin::reading& a, const twin::reading& b) {
    return twin::pack(a.target) < twin::pack(b.target);
  };
  if (!std::is_sorted(readings.begin(), readings.end(), by_target))
    std::stable_sort(readings.begin(), readings.end(), by_target);
  auto first = readings.begin();
  while (first != readings.end()) {
    auto last = first + 1;
    while (last != readings.end() && last->target == first->target)
      ++last;
    if (auto* handle = find(first->target)) {
      send(*handle, first, last);
      ++stats.messages_out;
    } else {
      stats.unknown_entity += static_cast<uint64_t>(last - first);
    }
    first = last;
  }
}

/// The behavior of a ROUTER over the entities in `entities` of shard
/// `shard` of `num_shards`; entities it creates publish to `publisher`,
/// the shard's PUBLISHER. `booted_by_kind` counts the entities of the
/// shard booted with the city (for its statistics).
/// @pre readings and creations reach a router only for ids of its shard
///      (`shard_of`), so an entity has exactly one router.
router_actor::behavior_type
router(router_actor::stateful_pointer<router_state> self,
       std::shared_ptr<const directory> entities, publisher_actor publisher,
       audit_actor audit, std::string city, uint32_t shard,
       uint32_t num_shards, std::vector<uint64_t> booted_by_kind);

} // namespace citytwin::actors
