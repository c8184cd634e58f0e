// twin/rules/outputs.hpp
#pragma once

// What evaluating rules produces, as plain data: commands for actuators,
// alert transitions, recommendations for people, and the explanation of
// every firing. The RULES actor sends the commands and keeps the rest.

#include "twin/command.hpp"
#include "twin/rules/rule.hpp"

#include <caf/meta/type_name.hpp>

#include <string>
#include <vector>

namespace citytwin::rules {

/// Why and when a rule instance changed its mind, in words: "rule
/// 'night-lights' at Intersection:7: RoadSegment:12 vehicle_flow 820 > 600;
/// sun elevation -8.1 deg < -0.833".
struct firing {
  std::string rule;
  twin::entity_id anchor;
  bool whole_city = false;
  twin::time_ms time = 0;
  bool then = true; ///< the condition started (true) or stopped holding
  std::string why;
};

/// An alert raised or cleared by a rule. The alert's identity is its rule,
/// anchor and kind.
struct alert_change {
  std::string rule;
  twin::entity_id anchor;
  bool whole_city = false;
  std::string kind;
  severity level = severity::warning;
  std::string text;
  std::string why;
  twin::time_ms time = 0;
  bool raised = true; ///< raised (true) or cleared
  /// Who should act on it, comma-separated ("police,ambulance"); empty for
  /// a rule's alerts, which go to whoever watches.
  std::string audience;
};

/// A recommended action for people, issued or withdrawn.
struct advice {
  std::string rule;
  twin::entity_id anchor;
  bool whole_city = false;
  recommendation what = recommendation::notice;
  std::string audience;
  severity level = severity::warning;
  std::string text;
  std::string why;
  /// collection_route: the bins in route order; divert_heavy_traffic: the
  /// road segments; guide_to_nearest_free: the car park to go to.
  std::vector<twin::entity_id> entities;
  double route_length_m = 0; ///< collection_route
  twin::time_ms time = 0;
  bool issued = true; ///< issued (true) or withdrawn
};

/// A rule the engine stopped evaluating, and why.
struct disabled_rule {
  std::string rule;
  std::string why;
  twin::time_ms time = 0;
};

/// Everything one evaluation produced.
struct outputs {
  std::vector<twin::command> commands;
  std::vector<alert_change> alerts;
  std::vector<rules::advice> advice;
  std::vector<firing> firings;
  std::vector<disabled_rule> disabled;
  std::vector<aggregate_value> aggregates;

  bool empty() const {
    return commands.empty() && alerts.empty() && advice.empty()
           && firings.empty() && disabled.empty() && aggregates.empty();
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, firing& x) {
  return f(caf::meta::type_name("firing"), x.rule, x.anchor, x.whole_city,
           x.time, x.then, x.why);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert_change& x) {
  return f(caf::meta::type_name("alert_change"), x.rule, x.anchor,
           x.whole_city, x.kind, x.level, x.text, x.why, x.time, x.raised,
           x.audience);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, advice& x) {
  return f(caf::meta::type_name("advice"), x.rule, x.anchor, x.whole_city,
           x.what, x.audience, x.level, x.text, x.why, x.entities,
           x.route_length_m, x.time, x.issued);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, disabled_rule& x) {
  return f(caf::meta::type_name("disabled_rule"), x.rule, x.why, x.time);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, outputs& x) {
  return f(caf::meta::type_name("rule_outputs"), x.commands, x.alerts,
           x.advice, x.firings, x.disabled, x.aggregates);
}

/// Names of enums in explanations and JSON.
std::string_view to_string(severity x);
std::string_view to_string(recommendation x);

} // namespace citytwin::rules
