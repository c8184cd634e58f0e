// adapters/ingest/shard_batcher.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "adapters/ingest/ingest_counters.hpp"
#include "twin/reading.hpp"

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace citytwin::ingest {

/// Groups readings per shard so the actor layer gets few, large messages
/// instead of one per reading (see ../shared/notes/caf-performance.md).
/// A shard's batch leaves when it is full or on `flush`. Thread-safe;
/// batches of one shard leave in the order their readings came in, which
/// keeps every entity's readings in order.
class shard_batcher {
public:
  /// Receives one shard's batch; called with the batcher's lock held, so
  /// it must not block (an `anon_send` is fine).
  using sink = std::function<void(size_t shard, twin::reading_batch&&)>;

  /// @pre `shards > 0` and `max_batch > 0`.
  shard_batcher(size_t shards, size_t max_batch, sink out,
                ingest_counters& counters);

  /// Adds readings, sending every shard batch that becomes full.
  void add(const twin::reading_batch& readings);

  /// Sends every non-empty batch.
  void flush();

  size_t shards() const {
    return batches_.size();
  }

private:
  void send(size_t shard);

  std::mutex mtx_;
  std::vector<twin::reading_batch> batches_;
  size_t max_batch_;
  sink out_;
  ingest_counters& counters_;
};

/// A sink that sends each shard's batch to `routers[shard]` with
/// `caf::anon_send` (never blocks, usable from any thread).
shard_batcher::sink router_sink(std::vector<actors::router_actor> routers);

} // namespace citytwin::ingest
