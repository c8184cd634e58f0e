// twin/rules/bound_rules.hpp
#pragma once

// A rule set bound to a city: every rule expanded into one instance per
// anchor, with the entities each clause reads and each action acts on
// resolved through the city's neighbourhoods, once, at load. Binding is
// where a rule file meets the city: a named entity that does not exist,
// a command to something that is not an actuator, signal commands to
// unsignalised intersections and rules that would trigger each other
// forever are reported here, every one with its file:line.

#include "twin/rules/attribute_reader.hpp"
#include "twin/rules/city_index.hpp"
#include "twin/rules/rule.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace citytwin::rules {

/// One value a rule instance reads: an attribute of an entity.
struct input {
  twin::entity_id id;
  attribute_reader read;
};

/// A contiguous range of an instance's inputs.
struct input_range {
  uint32_t first = 0;
  uint32_t count = 0;
};

/// An action of one instance with what it acts on resolved. Targets that
/// depend on which inputs matched (`matched`, `along: matched`) are found
/// when the action runs.
struct bound_action {
  const action* source = nullptr;
  std::vector<twin::entity_id> targets; ///< static command targets
  input_range candidates;               ///< recommend: candidates' inputs
};

/// A rule for one anchor.
struct bound_instance {
  uint32_t rule = 0; ///< index into the rule set
  twin::entity_id anchor;
  bool whole_city = false;
  std::vector<input> inputs;
  std::vector<input_range> clauses; ///< one per clause (empty: sun, time)
  std::vector<bound_action> then;
  std::vector<bound_action> otherwise;
  bool temporal = false; ///< has sun or time-of-day clauses
};

/// A rule set bound to a city. Immutable and shared by the engines of
/// every partition.
struct bound_rules {
  std::shared_ptr<const rule_set> source;
  std::shared_ptr<const city_index> city;
  std::vector<bound_instance> instances;
  /// Kinds whose deltas some instance reads (bit 1 << kind).
  uint32_t kinds_read = 0;

  const rule& rule_of(const bound_instance& x) const {
    return source->rules[x.rule];
  }
};

/// Most instances one rule set may bind to: ten rules for every lamp of a
/// million-entity city is a file that asks for a mistake.
constexpr size_t max_bound_instances = 2'000'000;

/// Binds `rules` to the city of `city`. Errors: errc::invalid_config with
/// every problem as `origin:line: message`.
caf::expected<bound_rules> bind(std::shared_ptr<const rule_set> rules,
                                std::shared_ptr<const city_index> city);

/// The clause whose matched inputs an action uses: the one its `matched`
/// selector names, else the rule's first attribute clause (a favoured plan,
/// a collection route or a derived attribute on a rule whose first clause
/// is the sun).
uint32_t matched_clause(const action& a, const rule& r);

/// The kind of the entities `sel` picks for `r` (nullopt when it cannot be
/// known before binding, e.g. `matched` with an unknown clause).
std::optional<twin::entity_kind> selected_kind(const rule& r,
                                               const selector& sel);

} // namespace citytwin::rules
