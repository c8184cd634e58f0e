// adapters/ingest/newest_times.hpp
#pragma once

#include "twin/reading.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace citytwin::ingest {

/// The newest accepted time per key (an entity and quantity), for the
/// decoder's duplicate and order checks. An open-addressing table in one
/// array: a city's worth of keys (millions) in std::unordered_map cost a
/// heap node each, and every lookup chased one more pointer.
class newest_times {
public:
  /// Where `key` stands: its newest time (`added` false), or a new slot
  /// holding `time` (`added` true).
  struct slot_ref {
    twin::time_ms* newest;
    bool added;
  };

  /// Finds `key` or adds it with `time`. Keys must stay below 2^63; the
  /// low five bits tell keys of one entity apart (see payload_decoder).
  slot_ref try_emplace(uint64_t key, twin::time_ms time);

  size_t size() const {
    return size_;
  }

private:
  struct slot {
    uint64_t key_plus_one = 0; // 0 marks an empty slot
    twin::time_ms time = 0;
  };

  void grow();

  std::vector<slot> slots_;
  size_t size_ = 0;
};

} // namespace citytwin::ingest
