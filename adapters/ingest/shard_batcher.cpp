// adapters/ingest/shard_batcher.cpp
#include "adapters/ingest/shard_batcher.hpp"

#include "actors/shard.hpp"
#include "actors/type_ids.hpp"

#include <caf/send.hpp>

namespace citytwin::ingest {

shard_batcher::shard_batcher(size_t shards, size_t max_batch, sink out,
                             ingest_counters& counters)
  : batches_(shards), max_batch_(max_batch), out_(std::move(out)),
    counters_(counters) {
  for (auto& batch : batches_)
    batch.reserve(max_batch_);
}

void shard_batcher::add(const twin::reading_batch& readings) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (const auto& x : readings) {
    auto shard = actors::shard_of(x.target, batches_.size());
    batches_[shard].push_back(x);
    if (batches_[shard].size() >= max_batch_)
      send(shard);
  }
}

void shard_batcher::flush() {
  std::lock_guard<std::mutex> guard{mtx_};
  for (size_t shard = 0; shard < batches_.size(); ++shard)
    if (!batches_[shard].empty())
      send(shard);
}

void shard_batcher::send(size_t shard) {
  twin::reading_batch full;
  full.reserve(max_batch_);
  full.swap(batches_[shard]);
  counters_.count_batch();
  out_(shard, std::move(full));
}

shard_batcher::sink router_sink(std::vector<actors::router_actor> routers) {
  return [routers = std::move(routers)](size_t shard,
                                        twin::reading_batch&& batch) {
    caf::anon_send(routers[shard], actors::observe_atom_v, std::move(batch));
  };
}

} // namespace citytwin::ingest
