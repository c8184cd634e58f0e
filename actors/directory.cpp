// actors/directory.cpp
#include "actors/directory.hpp"

namespace citytwin::actors {

void directory::add(twin::entity_id id, entity_actor handle) {
  auto& k = kinds_[twin::index_of(id.kind)];
  auto position = static_cast<uint32_t>(k.actors.size());
  if (k.dense && id.number != position) {
    // Switch to an explicit index, back-filling the entries so far.
    k.dense = false;
    for (uint32_t i = 0; i < position; ++i) {
      k.position_of.emplace(i, i);
      k.number_at.push_back(i);
    }
  }
  if (!k.dense) {
    k.position_of.emplace(id.number, position);
    k.number_at.push_back(id.number);
  }
  k.actors.push_back(std::move(handle));
  // The largest number has no successor in uint32_t; saturate instead of
  // wrapping to 0 (creating would then find every number taken).
  if (id.number >= k.end)
    k.end = id.number == UINT32_MAX ? UINT32_MAX : id.number + 1;
}

const entity_actor* directory::find(twin::entity_id id) const {
  auto index = twin::index_of(id.kind);
  if (index >= kinds_.size())
    return nullptr;
  const auto& k = kinds_[index];
  if (k.dense)
    return id.number < k.actors.size() ? &k.actors[id.number] : nullptr;
  auto i = k.position_of.find(id.number);
  return i == k.position_of.end() ? nullptr : &k.actors[i->second];
}

size_t directory::count(twin::entity_kind kind) const {
  return kinds_[twin::index_of(kind)].actors.size();
}

uint32_t directory::next_number(twin::entity_kind kind) const {
  return kinds_[twin::index_of(kind)].end;
}

size_t directory::size() const {
  size_t result = 0;
  for (const auto& k : kinds_)
    result += k.actors.size();
  return result;
}

} // namespace citytwin::actors
