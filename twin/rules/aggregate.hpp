// twin/rules/aggregate.hpp
#pragma once

// Windowed aggregates as data: derived streams a tenant defines beside its
// rules ("mean PM2.5 per district over 15 minutes, every minute"). Each
// group of an aggregate is a virtual sensor whose value is republished
// after every window (twin/rules/aggregator).

#include "twin/entity_id.hpp"
#include "twin/entity_kind.hpp"
#include "twin/reading.hpp"

#include <caf/meta/type_name.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::rules {

enum class aggregate_fn : uint8_t { avg, min, max, sum, count, p95 };

std::string_view to_string(aggregate_fn x);

/// How an aggregate splits its entities into groups (virtual sensors).
enum class grouping : uint8_t {
  none,     ///< one group
  kind,     ///< one group per entity kind
  district, ///< one per square cell of `district_m` on the city's plane
};

std::string_view to_string(grouping x);

struct aggregate {
  std::string id; ///< `[a-z0-9][a-z0-9_-]*`, unique among aggregates
  std::string attribute;
  std::vector<twin::entity_kind> kinds;  ///< every entity of these kinds
  std::vector<twin::entity_id> entities; ///< or this named group
  grouping group = grouping::none;
  double district_m = 1000;
  aggregate_fn fn = aggregate_fn::avg;
  twin::time_ms window_ms = 0;
  twin::time_ms every_ms = 0; ///< == window_ms: tumbling; less: sliding
  size_t line = 0;
};

/// One window of one group of an aggregate: the virtual sensor's value.
struct aggregate_value {
  std::string aggregate;
  std::string group; ///< "all", a kind, or a district "e3n-2"
  std::string function;
  std::string attribute;
  twin::time_ms window_start = 0;
  twin::time_ms window_end = 0;
  double value = 0;
  uint64_t count = 0; ///< samples in the window
  /// A rule's derived attribute (twin/rules/derived) rather than a window:
  /// `aggregate` is the rule, `attribute` the derived name, `subject` the
  /// anchor it is about (none for a whole-city rule).
  bool derived = false;
  twin::entity_id subject;
  bool whole_city = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, aggregate_value& x) {
  return f(caf::meta::type_name("aggregate_value"), x.aggregate, x.group,
           x.function, x.attribute, x.window_start, x.window_end, x.value,
           x.count, x.derived, x.subject, x.whole_city);
}

} // namespace citytwin::rules
