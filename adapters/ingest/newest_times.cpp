// adapters/ingest/newest_times.cpp
#include "adapters/ingest/newest_times.hpp"

namespace citytwin::ingest {

namespace {

// Slots at start; doubles whenever the table is 5/8 full, which keeps
// linear probes short.
constexpr size_t initial_slots = 1024;
constexpr size_t load_num = 5;
constexpr size_t load_den = 8;

// Keys are an entity (high bits) and a quantity (the low five). All
// quantities of an entity share a home slot, so that the readings of one
// SenML pack probe neighbouring slots, mostly one cache line. Fibonacci
// hashing spreads the entities, whose numbers are dense.
size_t home_of(uint64_t key, size_t mask) {
  constexpr uint64_t golden = 0x9E3779B97F4A7C15ULL;
  constexpr int quantity_bits = 5;
  return static_cast<size_t>(((key >> quantity_bits) * golden) >> 20) & mask;
}

} // namespace

newest_times::slot_ref newest_times::try_emplace(uint64_t key,
                                                 twin::time_ms time) {
  if ((size_ + 1) * load_den > slots_.size() * load_num)
    grow();
  auto mask = slots_.size() - 1;
  for (auto i = home_of(key, mask);; i = (i + 1) & mask) {
    auto& s = slots_[i];
    if (s.key_plus_one == key + 1)
      return {&s.time, false};
    if (s.key_plus_one == 0) {
      s.key_plus_one = key + 1;
      s.time = time;
      ++size_;
      return {&s.time, true};
    }
  }
}

void newest_times::grow() {
  std::vector<slot> old;
  old.swap(slots_);
  slots_.resize(old.empty() ? initial_slots : old.size() * 2);
  auto mask = slots_.size() - 1;
  for (const auto& s : old) {
    if (s.key_plus_one == 0)
      continue;
    auto i = home_of(s.key_plus_one - 1, mask);
    while (slots_[i].key_plus_one != 0)
      i = (i + 1) & mask;
    slots_[i] = s;
  }
}

} // namespace citytwin::ingest
