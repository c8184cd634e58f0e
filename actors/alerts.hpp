// actors/alerts.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "twin/rules/alert_book.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <deque>
#include <map>
#include <string>

namespace citytwin::actors {

/// State of ALERTS: the alert book, the advice in force by (rule, anchor)
/// and the newest firings.
struct alerts_state {
  static inline const char* name = "alerts";

  rules::alert_book book;
  std::map<std::string, rules::advice> advice;
  std::deque<rules::firing> firings;
  uint64_t num_firings = 0;
  uint64_t num_aggregate_values = 0;
  audit_actor audit;
  std::string city;
  std::vector<rules_actor> evaluators;
  std::vector<alert_listener_actor> listeners;

  /// Tells every listener about the alert's new state.
  void announce(const rules::alert& a);

  /// Tells listeners about what a person did to an alert (acknowledged
  /// it, reported an outcome) and records it in the audit log.
  void record_person(twin::audit_kind what, const std::string& by,
                     const rules::alert& a, twin::time_ms when,
                     std::string why);

  /// Records what RULES produced; audit entries for each transition.
  void take(rules::outputs& x);

  /// What `get` answers.
  alerts_report report(uint32_t limit) const;
};

/// Firings kept for the API (with their explanations).
constexpr size_t max_kept_firings = 1000;

/// The behavior of ALERTS for the twin of `city`; transitions go to `audit`.
alerts_actor::behavior_type
alerts(alerts_actor::stateful_pointer<alerts_state> self, std::string city,
       audit_actor audit);

} // namespace citytwin::actors
