// adapters/ingest/device_index.hpp
#pragma once

#include "twin/entity_id.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::ingest {

/// Device prefixes (SenML base names) to entities, for the binding table:
/// one lookup per SenML pack, over a city's worth of devices. An
/// open-addressing table of cache-line slots that hold the hash, the
/// entity and a short key itself, so that a lookup usually touches one
/// cache line; longer keys are compared in a shared arena. A
/// std::unordered_map of strings touched three (bucket, node, key).
class device_index {
public:
  /// Adds a device; false if `prefix` is there already.
  bool add(std::string_view prefix, twin::entity_id target);

  /// The entity of `prefix`, or nullptr.
  const twin::entity_id* find(std::string_view prefix) const;

  size_t size() const {
    return size_;
  }

  bool empty() const {
    return size_ == 0;
  }

private:
  static constexpr size_t inline_bytes = 42;

  struct alignas(64) slot {
    uint64_t hash = 0;
    twin::entity_id target;
    uint32_t offset = 0; // into arena_, for keys longer than inline_bytes
    uint16_t length = 0; // 0 marks an empty slot (keys are never empty)
    char key[inline_bytes] = {};
  };

  static uint64_t hash_of(std::string_view key);
  bool same_key(const slot& s, uint64_t hash, std::string_view key) const;
  void place(const slot& s);
  void grow();

  std::vector<slot> slots_;
  std::string arena_;
  size_t size_ = 0;
};

} // namespace citytwin::ingest
