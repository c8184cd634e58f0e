// twin/rules/attribute_reader.hpp
#pragma once

#include "twin/entity_state.hpp"
#include "twin/quantity.hpp"

#include <optional>
#include <string_view>

namespace citytwin::rules {

/// Reads one named attribute of an entity's state. Resolved once when a
/// rule is bound, so evaluating a rule on a delta compares no names:
/// measured quantities go through `twin::value_of`, derived attributes
/// (`full`, `congestion`, `green_time_1`) by their place in
/// `twin::attributes`.
class attribute_reader {
public:
  /// The reader of `name` for entities of `kind`; nullopt if that kind has
  /// no such attribute.
  static std::optional<attribute_reader> resolve(twin::entity_kind kind,
                                                 std::string_view name);

  /// The attribute's value in `state` (NaN if the state lacks it).
  double read(const twin::entity_state& state) const;

  std::string_view name() const {
    return name_;
  }

  friend bool operator==(const attribute_reader& x, const attribute_reader& y) {
    return x.quantity_ == y.quantity_ && x.index_ == y.index_
           && x.name_ == y.name_;
  }

private:
  std::optional<twin::quantity> quantity_;
  size_t index_ = 0;
  std::string_view name_; // points into the static names of attributes()
};

} // namespace citytwin::rules
