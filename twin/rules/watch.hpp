// twin/rules/watch.hpp
#pragma once

// Watches as data: what a tenant's rule file asks the twin to keep an eye
// on beside its rules, with no condition to write. Stale sensors: an
// entity that stops reporting for `factor` times its usual interval
// (learned per entity). Actuators: a lamp that does not report the level
// it was commanded within `confirm_within`. Both raise alerts with the
// lifecycle of rule alerts; the "rule" of such an alert is the watch's
// name (`watch.stale_sensors`, `watch.actuators`), which no rule id can be.

#include "twin/entity_kind.hpp"
#include "twin/reading.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace citytwin::rules {

/// The alert "rules" of the watches.
constexpr std::string_view stale_watch_name = "watch.stale_sensors";
constexpr std::string_view actuator_watch_name = "watch.actuators";

struct stale_watch_config {
  bool enabled = false;
  std::vector<twin::entity_kind> kinds;
  /// Silent for this many usual intervals: stale.
  double factor = 3;
  /// Intervals an entity must show before its usual one is trusted.
  uint32_t learn = 3;
  /// Never stale before this much silence, however fast it reports.
  twin::time_ms at_least_ms = 60'000;
  size_t line = 0;
};

struct actuator_watch_config {
  bool enabled = false;
  /// A commanded lamp must report the commanded level within this time.
  twin::time_ms confirm_within_ms = 120'000;
  size_t line = 0;
};

struct watch_config {
  stale_watch_config stale;
  actuator_watch_config actuators;
};

} // namespace citytwin::rules
