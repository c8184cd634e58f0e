// twin/rules/rule.hpp
#pragma once

// Rules as data: what a tenant's rule file says, before it is bound to a
// city. A rule runs once per anchor (every entity of a kind, one entity,
// or the whole city); its clauses look at entities chosen relative to the
// anchor (the segments approaching an intersection, the lamps along them,
// the k nearest car parks) and, when all of them hold, its `then` actions
// run; when they stop holding, its `otherwise` actions run. The format of
// the file is documented in `data/rules/README.md`; `compile` binds a rule
// set to a city and reports what does not fit it.

#include "twin/command.hpp"
#include "twin/rules/aggregate.hpp"
#include "twin/rules/watch.hpp"
#include "twin/entity_id.hpp"
#include "twin/entity_kind.hpp"
#include "twin/reading.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace citytwin::rules {

/// Which entities a selector picks, relative to the rule's anchor.
enum class relation : uint8_t {
  self,        ///< the anchor itself
  entity,      ///< one named entity (`entity: urn:ngsi-ld:...`)
  all,         ///< every entity of `kind` in the city
  approaching, ///< road segments entering the anchor intersection
  leaving,     ///< road segments leaving the anchor intersection
  segment,     ///< the road segment the anchor (a placed thing) stands by
  along,       ///< things of `kind` beside the segments `base` selects
  within,      ///< things of `kind` within `radius_m` of the anchor
  nearest,     ///< the `k` things of `kind` nearest to the anchor
  matched,     ///< the inputs of clause `clause` that held (actions only)
};

/// Picks entities for a clause or an action.
struct selector {
  relation rel = relation::self;
  /// Required for along, within, nearest and all; a filter elsewhere.
  std::optional<twin::entity_kind> kind;
  /// along: whose segments (approaching, leaving, segment, self, matched).
  relation base = relation::self;
  double radius_m = 0;     ///< within
  uint32_t k = 0;          ///< nearest
  twin::entity_id id;      ///< entity
  uint32_t clause = 0;     ///< matched (and along with base matched)
  size_t line = 0;
};

/// How a clause combines the values of the entities it selects.
enum class match : uint8_t {
  any, ///< at least `at_least` inputs satisfy the comparison
  all, ///< every input satisfies it
  avg, ///< their mean does
  sum, ///< their sum does
};

/// One condition of a rule. Attribute clauses compare an attribute (or its
/// rate of change) of the selected entities with a threshold; sun clauses
/// compare the sun's elevation at the city; time clauses check the local
/// time of day. All clauses of a rule must hold.
struct clause {
  enum class type : uint8_t { attribute, sun, time_of_day };
  type what = type::attribute;
  // -- attribute -------------------------------------------------------------
  std::string attribute; ///< snake_case name from `twin::attributes`
  selector of;           ///< default: the anchor
  match how = match::any;
  uint32_t at_least = 1; ///< any: how many inputs must satisfy it
  /// When set, the value compared is the attribute's change per `rate_per_ms`
  /// between an entity's last two values, not the value itself.
  std::optional<twin::time_ms> rate_per_ms;
  // -- attribute and sun -----------------------------------------------------
  /// Exactly one of these is set: holds when the value is above / below.
  std::optional<double> above;
  std::optional<double> below;
  /// Once the clause holds it keeps holding until the value crosses the
  /// threshold by this much the other way (above 600, hysteresis 100: holds
  /// from above 600 until below 500).
  double hysteresis = 0;
  // -- time_of_day -----------------------------------------------------------
  /// Local minutes after midnight; `from > to` wraps midnight (22:00-06:00).
  uint32_t from_min = 0;
  uint32_t to_min = 0;
  size_t line = 0;
};

/// What a rule does when its condition starts or stops holding.
enum class action_kind : uint8_t {
  command,   ///< a command to each selected actuator
  alert,     ///< raises (then) or clears (otherwise) an alert on the anchor
  recommend, ///< a recommended action for people (operators, services)
  derive,    ///< a derived attribute of the anchor (a virtual sensor)
};

/// How a signal plan command sets the green times of an intersection.
enum class plan_kind : uint8_t {
  fixed,  ///< `green_s` as given (one per phase)
  equal,  ///< every phase `green_s[0]` seconds
  favour, ///< phases serving the matched approaches `green_s[0]`, others
          ///< `green_s[1]`; approach j (in the order of the city's
          ///< segments into the intersection) is served by phase
          ///< j mod num_phases
};

/// Recommendations the engine knows how to work out.
enum class recommendation : uint8_t {
  /// Empty the matched bins, in the order of a route along the road graph.
  collection_route,
  /// Keep heavy vehicles off the selected road segments.
  divert_heavy_traffic,
  /// Send drivers to the nearest car park of `candidates` with space.
  guide_to_nearest_free,
  /// Only the rule's own text.
  notice,
};

/// Severity of alerts and urgency of recommendations.
enum class severity : uint8_t { info, warning, critical };

struct action {
  action_kind what = action_kind::command;
  // -- command ---------------------------------------------------------------
  selector to; ///< the actuators
  twin::command_kind command = twin::command_kind::dim;
  double level = 0; ///< dim
  twin::signal_mode mode = twin::signal_mode::normal;
  plan_kind plan = plan_kind::fixed;
  std::vector<uint16_t> green_s; ///< signal_plan
  // -- alert and recommend ---------------------------------------------------
  std::string alert_kind = "threshold"; ///< alert: threshold, rate_of_change
  recommendation recommend = recommendation::notice;
  /// guide_to_nearest_free: where to look; divert_heavy_traffic: the roads.
  selector candidates;
  /// guide_to_nearest_free: a candidate has space when this attribute is
  /// above `candidate_above` (free_spaces above 0).
  std::string candidate_attribute = "free_spaces";
  double candidate_above = 0;
  /// Who receives it: operator, emergency, public.
  std::string audience = "operator";
  severity level_of_urgency = severity::warning;
  std::string text; ///< optional words of the rule author
  // -- derive ----------------------------------------------------------------
  /// The derived attribute's name, `[a-z][a-z0-9_]*`.
  std::string derived;
  /// Either a constant (`value: 0`) or `function` over the current values
  /// of the inputs of clause `clause` (0-based; the rule's first attribute
  /// clause unless named). Kept up to date while the rule is in force.
  std::optional<double> constant;
  aggregate_fn function = aggregate_fn::avg;
  std::optional<uint32_t> clause;
  size_t line = 0;
};

/// One rule as written.
struct rule {
  std::string id; ///< `[a-z0-9][a-z0-9_-]*`, unique in the file
  std::string description;
  /// What the rule runs for: every entity of `for_each`, one `entity`, or,
  /// with neither, the city as a whole (one instance).
  std::optional<twin::entity_kind> for_each;
  std::optional<twin::entity_id> entity;
  bool signalised_only = false; ///< for_each intersection: skip unsignalised
  std::vector<clause> when;
  /// The condition must hold this long before `then` runs (simulated time).
  twin::time_ms hold_ms = 0;
  std::vector<action> then;
  std::vector<action> otherwise;
  bool enabled = true;
  size_t line = 0;
};

/// A tenant's rule file.
struct rule_set {
  std::string origin; ///< the file, for messages
  std::vector<rule> rules;
  std::vector<aggregate> aggregates;
  watch_config watch;
};

} // namespace citytwin::rules
