// twin/rules/derived.hpp
#pragma once

// Derived attributes: what a rule's `derive` action computes about its
// anchor ("approach_load of Intersection:12 = sum of the vehicle_flow of
// its approaches"). A derived attribute is published like a windowed
// aggregate, as a virtual sensor (`VirtualSensor` entity named after the
// rule and the anchor, with a relationship to the anchor), so the state
// it derives from stays in the entities it reads and the derived value
// has one owner: the TENANT's copy of what the rules published.

#include "twin/rules/aggregate.hpp"
#include "twin/rules/rule.hpp"

#include <optional>
#include <string>
#include <vector>

namespace citytwin::rules {

/// `fn` over the known `values` (NaN is unknown and left out); nullopt
/// when none is known, except `count`, which is then 0. p95 is the
/// nearest rank, as in aggregates.
std::optional<double> derive(aggregate_fn fn, std::vector<double> values);

/// The nearest-rank 95th percentile: the smallest value with at least 95%
/// at or below it. Reorders `values`, which must not be empty.
double p95_of(std::vector<double>& values);

/// A derived attribute's value as the virtual sensor it is published as:
/// aggregate = the rule's id, group = the anchor (`Intersection-12`, or
/// `city` for a whole-city rule), attribute = the derived name, a window
/// of the instant `now`.
aggregate_value derived_value(const std::string& rule, twin::entity_id anchor,
                              bool whole_city, const action& a, double value,
                              uint64_t count, twin::time_ms now);

} // namespace citytwin::rules
