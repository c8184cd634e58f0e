// adapters/ingest/device_index.cpp
#include "adapters/ingest/device_index.hpp"

#include <cstring>
#include <functional>
#include <limits>

namespace citytwin::ingest {

namespace {

// Slots at start; doubles whenever the table is half full.
constexpr size_t initial_slots = 64;

} // namespace

uint64_t device_index::hash_of(std::string_view key) {
  return std::hash<std::string_view>{}(key);
}

bool device_index::same_key(const slot& s, uint64_t hash,
                            std::string_view key) const {
  if (s.hash != hash || s.length != key.size())
    return false;
  const char* stored = key.size() <= inline_bytes ? s.key
                                                  : arena_.data() + s.offset;
  return std::memcmp(stored, key.data(), key.size()) == 0;
}

bool device_index::add(std::string_view prefix, twin::entity_id target) {
  // Keys are SenML base names: short, never empty; the length must fit
  // the slot's field and longer keys the arena's offsets.
  if (prefix.empty() || prefix.size() > std::numeric_limits<uint16_t>::max()
      || arena_.size() + prefix.size()
           > std::numeric_limits<uint32_t>::max())
    return false;
  if (find(prefix) != nullptr)
    return false;
  if ((size_ + 1) * 2 > slots_.size())
    grow();
  slot s;
  s.hash = hash_of(prefix);
  s.target = target;
  s.length = static_cast<uint16_t>(prefix.size());
  if (prefix.size() <= inline_bytes) {
    std::memcpy(s.key, prefix.data(), prefix.size());
  } else {
    s.offset = static_cast<uint32_t>(arena_.size());
    arena_.append(prefix);
  }
  place(s);
  ++size_;
  return true;
}

const twin::entity_id* device_index::find(std::string_view prefix) const {
  if (slots_.empty())
    return nullptr;
  auto hash = hash_of(prefix);
  auto mask = slots_.size() - 1;
  for (auto i = static_cast<size_t>(hash) & mask;; i = (i + 1) & mask) {
    const auto& s = slots_[i];
    if (s.length == 0)
      return nullptr;
    if (same_key(s, hash, prefix))
      return &s.target;
  }
}

void device_index::place(const slot& s) {
  auto mask = slots_.size() - 1;
  auto i = static_cast<size_t>(s.hash) & mask;
  while (slots_[i].length != 0)
    i = (i + 1) & mask;
  slots_[i] = s;
}

void device_index::grow() {
  std::vector<slot> old;
  old.swap(slots_);
  slots_.resize(old.empty() ? initial_slots : old.size() * 2);
  for (const auto& s : old)
    if (s.length != 0)
      place(s);
}

} // namespace citytwin::ingest
