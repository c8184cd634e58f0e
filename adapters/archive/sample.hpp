// adapters/archive/sample.hpp
#pragma once

#include "twin/reading.hpp"

#include <algorithm>
#include <compare>
#include <string>
#include <vector>

namespace citytwin::archive {

/// One archived value of one stream.
struct sample {
  twin::time_ms time = 0;
  double value = 0;

  friend bool operator==(const sample&, const sample&) = default;
};

/// A stream is one quantity of one entity: the entity's NGSI-LD id (a twin
/// URN, an Alert or VirtualSensor id) and the quantity's NGSI-LD attribute
/// name (`twin::ngsi_name`), e.g. `intensity`.
struct stream_name {
  std::string entity;
  std::string quantity;

  friend auto operator<=>(const stream_name&, const stream_name&) = default;
};

/// A stream's samples, sorted by time, times distinct.
struct stream_block {
  stream_name name;
  std::string unit; ///< the quantity's unit symbol, for readers outside citytwin
  std::vector<sample> samples;
};

/// Sorts by time and keeps, of equal times, the sample that came last (a
/// reading delivered twice, e.g. once from the journal after a restart and
/// once again by the broker, or a journal sample over a segment's, is one
/// sample).
inline void sort_unique(std::vector<sample>& xs) {
  std::stable_sort(xs.begin(), xs.end(), [](const sample& a, const sample& b) {
    return a.time < b.time;
  });
  size_t out = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (out > 0 && xs[out - 1].time == xs[i].time)
      xs[out - 1] = xs[i];
    else
      xs[out++] = xs[i];
  }
  xs.resize(out);
}

} // namespace citytwin::archive
