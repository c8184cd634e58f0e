// twin/rules/derived.cpp
#include "twin/rules/derived.hpp"

#include "twin/entity_kind.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::rules {

double p95_of(std::vector<double>& values) {
  auto rank = static_cast<size_t>(std::ceil(0.95 * double(values.size())));
  auto k = std::max<size_t>(rank, 1) - 1;
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

std::optional<double> derive(aggregate_fn fn, std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(),
                              [](double v) { return std::isnan(v); }),
               values.end());
  if (fn == aggregate_fn::count)
    return static_cast<double>(values.size());
  if (values.empty())
    return std::nullopt;
  switch (fn) {
    case aggregate_fn::min:
      return *std::min_element(values.begin(), values.end());
    case aggregate_fn::max:
      return *std::max_element(values.begin(), values.end());
    case aggregate_fn::p95:
      return p95_of(values);
    default: {
      double sum = 0;
      for (auto v : values)
        sum += v;
      return fn == aggregate_fn::sum ? sum : sum / double(values.size());
    }
  }
}

aggregate_value derived_value(const std::string& rule, twin::entity_id anchor,
                              bool whole_city, const action& a, double value,
                              uint64_t count, twin::time_ms now) {
  aggregate_value result;
  result.aggregate = rule;
  result.group = whole_city ? std::string{"city"}
                            : std::string{twin::ngsi_type(anchor.kind)} + "-"
                                + std::to_string(anchor.number);
  result.function = a.constant ? "value" : std::string{to_string(a.function)};
  result.attribute = a.derived;
  result.window_start = now;
  result.window_end = now;
  result.value = value;
  result.count = count;
  result.derived = true;
  result.subject = anchor;
  result.whole_city = whole_city;
  return result;
}

} // namespace citytwin::rules
