// actors/shard.hpp
#pragma once

#include "twin/entity_id.hpp"
#include "twin/reading.hpp"

#include <cstddef>
#include <vector>

namespace citytwin::actors {

/// The shard that owns an entity. Each shard has one ROUTER and one
/// PUBLISHER; an entity is always reached through its shard's router, which
/// is what keeps its readings in order (CAF orders messages per sender and
/// receiver pair only). Multiplicative hashing spreads dense numbers.
inline size_t shard_of(twin::entity_id id, size_t shards) {
  constexpr uint64_t golden = 0x9E3779B97F4A7C15ULL;
  return static_cast<size_t>(((twin::pack(id) * golden) >> 32) % shards);
}

/// Splits a mixed batch into one batch per shard, keeping the order of
/// readings within each shard.
inline std::vector<twin::reading_batch>
split_by_shard(const twin::reading_batch& readings, size_t shards) {
  std::vector<twin::reading_batch> result(shards);
  if (shards == 1) {
    result[0] = readings;
    return result;
  }
  for (const auto& x : readings)
    result[shard_of(x.target, shards)].push_back(x);
  return result;
}

} // namespace citytwin::actors
