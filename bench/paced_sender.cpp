// bench/paced_sender.cpp
#include "bench/paced_sender.hpp"

#include "actors/shard.hpp"
#include "actors/type_ids.hpp"

#include <caf/send.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

namespace citytwin::bench {

namespace {

using clock_type = std::chrono::steady_clock;
constexpr auto tick = std::chrono::milliseconds(1);

} // namespace

std::vector<paced_target> lamps_and_bins(const twin::city& c) {
  std::vector<paced_target> result;
  twin::for_each_initial_state(c, [&](const twin::entity_state& st) {
    if (st.id.kind == twin::entity_kind::street_lamp)
      result.push_back({st.id, twin::quantity::dim_level});
    else if (st.id.kind == twin::entity_kind::waste_bin)
      result.push_back({st.id, twin::quantity::fill_level});
  });
  return result;
}

twin::reading next_reading(paced_target& t, uint64_t seq) {
  ++t.updates;
  twin::reading r;
  r.target = t.id;
  r.what = t.what;
  r.time = paced_t0 + static_cast<twin::time_ms>(seq);
  r.value = double(t.updates % 100 + 1) / 100;
  return r;
}

int64_t monotonic_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           clock_type::now().time_since_epoch())
    .count();
}

size_t send_paced(const std::vector<actors::router_actor>& routers,
                  std::vector<paced_target>& targets, double rate,
                  double seconds, uint64_t& seq,
                  std::vector<std::atomic<int64_t>>& sent_at) {
  auto shards = routers.size();
  auto start = clock_type::now();
  size_t result = 0;
  size_t next_target = 0;
  auto total = static_cast<size_t>(rate * seconds);
  for (auto wake = start; result < total; wake += tick) {
    std::this_thread::sleep_until(wake);
    auto elapsed
      = std::chrono::duration<double>(clock_type::now() - start).count();
    auto due = std::min(total, static_cast<size_t>(rate * elapsed));
    std::vector<twin::reading_batch> batches(shards);
    auto stamp = monotonic_ns();
    for (; result < due && seq < sent_at.size(); ++result, ++seq) {
      auto& t = targets[next_target];
      next_target = (next_target + 1) % targets.size();
      sent_at[seq].store(stamp, std::memory_order_relaxed);
      batches[actors::shard_of(t.id, shards)].push_back(next_reading(t, seq));
    }
    for (size_t s = 0; s < shards; ++s)
      if (!batches[s].empty())
        caf::anon_send(routers[s], actors::observe_atom_v,
                       std::move(batches[s]));
    if (seq >= sent_at.size())
      break;
  }
  return result;
}

double percentile_ms(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = std::min(sorted.size() - 1,
                    static_cast<size_t>(p * double(sorted.size())));
  return double(sorted[i]) / 1e6;
}

} // namespace citytwin::bench
