// twin/rules/alert_book.hpp
#pragma once

// The lifecycle of alerts: raised by a rule (or by the engine about a
// rule), acknowledged by a person with the right role, cleared when the
// condition that raised it stops holding. An alert acknowledged and then
// cleared is closed; one cleared before anyone acknowledged it stays
// visible as cleared until acknowledged or until it ages out, so nobody
// misses that something happened at night.

#include "twin/rules/outputs.hpp"

#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace citytwin::rules {

enum class alert_status : uint8_t { raised, acknowledged, cleared, closed };

std::string_view to_string(alert_status x);

/// One alert and its history.
struct alert {
  uint64_t id = 0;
  std::string rule;
  twin::entity_id anchor;
  bool whole_city = false;
  std::string kind;
  severity level = severity::warning;
  std::string text;
  std::string why;
  alert_status status = alert_status::raised;
  twin::time_ms raised_at = 0;
  twin::time_ms cleared_at = 0;
  std::string acknowledged_by;
  twin::time_ms acknowledged_at = 0;
  uint32_t times_raised = 1; ///< raised again while still open
  /// Who should act on it (a recommended action's audiences); empty: all.
  std::string audience;
  /// How it went, as reported by whoever acted ("done: road closed at
  /// 22:55"); reporting closes the alert.
  std::string outcome;
  std::string outcome_by;
  twin::time_ms outcome_at = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert& x) {
  return f(caf::meta::type_name("alert"), x.id, x.rule, x.anchor,
           x.whole_city, x.kind, x.level, x.text, x.why, x.status,
           x.raised_at, x.cleared_at, x.acknowledged_by, x.acknowledged_at,
           x.times_raised, x.audience, x.outcome, x.outcome_by, x.outcome_at);
}

/// Most alerts kept; the oldest closed ones go first.
constexpr size_t max_kept_alerts = 10'000;

/// Alerts by id, with their lifecycle.
class alert_book {
public:
  /// Applies a rule's raise or clear; returns the alert it changed (nullptr
  /// for a clear of an alert that is not open).
  const alert* apply(const alert_change& change);

  /// Acknowledges an open alert. errc::unknown_entity for an unknown id,
  /// errc::out_of_range if it is closed.
  caf::expected<alert> acknowledge(uint64_t id, const std::string& by,
                                   twin::time_ms when);

  /// Records how acting on an alert went and closes it. errc::
  /// unknown_entity for an unknown id, errc::out_of_range if an outcome
  /// was reported already.
  caf::expected<alert> report_outcome(uint64_t id, const std::string& by,
                                      const std::string& outcome,
                                      twin::time_ms when);

  /// Every alert not closed, newest first, then the newest closed ones
  /// up to `limit` in all.
  std::vector<alert> list(size_t limit) const;

  size_t num_open() const;

private:
  alert* open_for(const alert_change& change);
  alert* find(uint64_t id);
  void trim();

  uint64_t next_id_ = 1;
  std::deque<alert> alerts_; // in id order
};

} // namespace citytwin::rules
