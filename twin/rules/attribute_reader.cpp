// twin/rules/attribute_reader.cpp
#include "twin/rules/attribute_reader.hpp"

#include <cmath>
#include <limits>

namespace citytwin::rules {

std::optional<attribute_reader>
attribute_reader::resolve(twin::entity_kind kind, std::string_view name) {
  auto names = twin::attributes(twin::make_state({kind, 0}));
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].name != name)
      continue;
    attribute_reader result;
    result.name_ = names[i].name;
    result.index_ = i;
    // A measured quantity of this kind reads without building the list.
    if (auto q = twin::parse_quantity(name); q && twin::accepts(kind, *q))
      result.quantity_ = q;
    return result;
  }
  return std::nullopt;
}

double attribute_reader::read(const twin::entity_state& state) const {
  if (quantity_) {
    if (auto value = twin::value_of(state, *quantity_))
      return *value;
    return std::numeric_limits<double>::quiet_NaN();
  }
  auto all = twin::attributes(state);
  return index_ < all.size() ? all[index_].value
                             : std::numeric_limits<double>::quiet_NaN();
}

} // namespace citytwin::rules
