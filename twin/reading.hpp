// twin/reading.hpp
#pragma once

#include "twin/entity_id.hpp"
#include "twin/quantity.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <vector>

namespace citytwin::twin {

/// Simulated or observed time: milliseconds since the Unix epoch, UTC.
/// It travels in messages; actors never read the wall clock.
using time_ms = int64_t;

/// One measured value for one entity at one time.
struct reading {
  entity_id target;
  time_ms time = 0;
  double value = 0;
  quantity what = quantity::vehicle_flow;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reading& x) {
  return f(caf::meta::type_name("reading"), x.target, x.time, x.value, x.what);
}

/// Readings travel in batches: per-message cost dominates in CAF, so
/// adapters group them (see ../shared/notes/caf-performance.md).
using reading_batch = std::vector<reading>;

} // namespace citytwin::twin
