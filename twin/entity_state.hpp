// twin/entity_state.hpp
#pragma once

#include "twin/entity_id.hpp"
#include "twin/kind_states.hpp"
#include "twin/reading.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace citytwin::twin {

/// The live state of one entity: what every entity has, plus its typed,
/// kind-specific part. Plain data; the logic lives in `apply`.
struct entity_state {
  entity_id id;
  time_ms updated = 0;      ///< time of the newest applied reading
  uint32_t seen = 0;        ///< quantities measured at least once (bits)
  uint64_t num_applied = 0; ///< readings applied since start
  kind_state detail;

  /// The typed part, e.g. `state.as<street_lamp_state>()`.
  template <class T>
  T& as() {
    return std::get<T>(detail);
  }

  template <class T>
  const T& as() const {
    return std::get<T>(detail);
  }
};

/// A fresh state for entity `id`, with default static attributes.
entity_state make_state(entity_id id);

/// Applies one reading. Returns the set of changed quantities (bit masks
/// from `bit(quantity)`, 0 if the reading repeated the current value), or
/// wrong_quantity, not_finite, out_of_range or stale_reading. A rejected
/// reading leaves the state untouched.
caf::expected<uint32_t> apply(entity_state& state, const reading& x);

/// The latest value of `q`, if the entity has that quantity.
caf::expected<double> value_of(const entity_state& state, quantity q);

/// A named value of an entity, measured or derived (`on`, `collections`).
struct attribute {
  std::string_view name;
  double value;
};

/// All attributes of the state for display and export, measured first.
std::vector<attribute> attributes(const entity_state& state);

/// Serializes a state; the alternative follows from the id's kind.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, entity_state& x) {
  constexpr bool returns_error
      = !std::is_same_v<typename Inspector::result_type, void>;
  if constexpr (returns_error) {
    if (auto err = f(caf::meta::type_name("entity_state"), x.id, x.updated,
                     x.seen, x.num_applied))
      return err;
    if constexpr (Inspector::writes_state)
      x.detail = make_kind_state(x.id.kind);
    return std::visit([&f](auto& detail) { return f(detail); }, x.detail);
  } else {
    f(caf::meta::type_name("entity_state"), x.id, x.updated, x.seen,
      x.num_applied);
    std::visit([&f](auto& detail) { f(detail); }, x.detail);
  }
}

/// A change of one entity, published after readings were applied: the new
/// state and which quantities changed. Carrying the whole (small) state
/// lets a subscriber that joins late or drops deltas catch up from any one.
struct delta {
  entity_state state;
  uint32_t changed = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, delta& x) {
  return f(caf::meta::type_name("delta"), x.state, x.changed);
}

using delta_batch = std::vector<delta>;

} // namespace citytwin::twin
