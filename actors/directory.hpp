// actors/directory.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "twin/entity_id.hpp"

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace citytwin::actors {

/// Maps entity ids to their ENTITY actors. Built once at boot and then
/// shared read-only (as `shared_ptr<const directory>`) by the routers of
/// one node; it never crosses the network.
class directory {
public:
  /// Records the actor of `id`. Numbers of one kind may come in any order;
  /// dense numbering (0..n-1, as generated) makes lookups a plain index.
  void add(twin::entity_id id, entity_actor handle);

  /// The actor of `id`, or nullptr.
  const entity_actor* find(twin::entity_id id) const;

  /// Number of entities of one kind.
  size_t count(twin::entity_kind kind) const;

  /// Number of entities of all kinds.
  size_t size() const;

  /// One above the highest number of one kind (0 if there is none): where
  /// numbers of entities created at runtime start.
  uint32_t next_number(twin::entity_kind kind) const;

  /// Visits every actor of one kind.
  template <class F>
  void for_each(twin::entity_kind kind, F&& f) const {
    for (const auto& handle : kinds_[twin::index_of(kind)].actors)
      f(handle);
  }

  /// Visits every entity of one kind as `f(id, actor)`.
  template <class F>
  void for_each_entity(twin::entity_kind kind, F&& f) const {
    const auto& k = kinds_[twin::index_of(kind)];
    for (uint32_t i = 0; i < k.actors.size(); ++i)
      f(twin::entity_id{kind, k.dense ? i : k.number_at[i]}, k.actors[i]);
  }

private:
  struct per_kind {
    std::vector<entity_actor> actors;
    // Filled only once a number does not equal its position.
    std::unordered_map<uint32_t, uint32_t> position_of;
    std::vector<uint32_t> number_at; // its inverse, also filled then
    bool dense = true;
    uint32_t end = 0; // highest number + 1
  };

  std::array<per_kind, twin::num_entity_kinds> kinds_;
};

} // namespace citytwin::actors
