// actors/audit.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "twin/audit_log.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace citytwin::actors {

/// State of AUDIT: the bounded log.
struct audit_state {
  static inline const char* name = "audit";
  twin::audit_log log;
};

/// Most entries one page returns.
constexpr uint32_t max_audit_page = 1000;

/// The behavior of AUDIT, keeping the newest `capacity` entries.
audit_actor::behavior_type
audit(audit_actor::stateful_pointer<audit_state> self, size_t capacity);

} // namespace citytwin::actors
