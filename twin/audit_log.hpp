// twin/audit_log.hpp
#pragma once

// Who changed what in the city, when and why: every actuation (honoured or
// refused, by an operator, an MQTT client or a rule), every alert
// transition and every rule (re)load. A tenant's admin reads it through
// the API; it is bounded, and says how many entries it has let go.

#include "twin/reading.hpp"

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::twin {

/// What an audit entry records. The numbers may be archived: append only.
enum class audit_kind : uint8_t {
  actuation = 1,      ///< a command an actuator honoured
  actuation_refused,  ///< a command refused (fault, range, unknown id)
  alert_raised,
  alert_acknowledged,
  alert_cleared,
  rules_loaded,       ///< a rule file loaded (at start or reload)
  rules_rejected,     ///< a reload refused; the old rules stay
  rule_disabled,      ///< a misbehaving rule stopped at run time
  advice_issued,      ///< a recommended action issued
  advice_withdrawn,
  outcome_reported, ///< someone said how a recommended action went
};

std::string_view to_string(audit_kind x);

/// One entry.
struct audit_entry {
  uint64_t seq = 0;       ///< assigned by the log, increasing
  time_ms time = 0;       ///< when it happened (the command's or rule's time)
  audit_kind what = audit_kind::actuation;
  std::string who;        ///< "operator:alice", "rule:night-lights", "mqtt"
  std::string subject;    ///< an entity URN, an alert id, a rule file
  std::string detail;     ///< what: "dim to 1", "3 rules"
  std::string why;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_entry& x) {
  return f(caf::meta::type_name("audit_entry"), x.seq, x.time, x.what, x.who,
           x.subject, x.detail, x.why);
}

/// A bounded log of audit entries, oldest dropped first.
class audit_log {
public:
  explicit audit_log(size_t capacity = 100'000) : capacity_(capacity) {
  }

  /// Appends an entry and gives it the next sequence number.
  void append(audit_entry x);

  /// Entries with `seq` above `after`, oldest first, at most `limit`;
  /// only kind `what` when given.
  std::vector<audit_entry> read(uint64_t after, size_t limit,
                                std::optional<audit_kind> what = {}) const;

  uint64_t num_appended() const {
    return next_seq_ - 1;
  }

  uint64_t num_dropped() const {
    return num_dropped_;
  }

private:
  size_t capacity_;
  uint64_t next_seq_ = 1;
  uint64_t num_dropped_ = 0;
  std::deque<audit_entry> entries_;
};

/// Parses an audit kind name (`actuation`, `alert_raised`, ...).
std::optional<audit_kind> parse_audit_kind(std::string_view name);

} // namespace citytwin::twin
