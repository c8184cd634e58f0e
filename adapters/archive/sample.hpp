// adapters/archive/sample.hpp
#pragma once

#include "twin/reading.hpp"

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

} // namespace citytwin::archive
