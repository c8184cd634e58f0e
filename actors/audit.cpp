// actors/audit.cpp
#include "actors/audit.hpp"

#include "actors/type_ids.hpp"

#include <algorithm>

namespace citytwin::actors {

audit_actor::behavior_type
audit(audit_actor::stateful_pointer<audit_state> self, size_t capacity) {
  self->state.log = twin::audit_log{capacity};
  return {
    [self](twin::audit_entry& x) { self->state.log.append(std::move(x)); },
    [self](caf::get_atom, const audit_query& q) {
      std::optional<twin::audit_kind> what;
      if (q.what != 0)
        what = static_cast<twin::audit_kind>(q.what);
      audit_page result;
      result.entries = self->state.log.read(
        q.after, std::min(q.limit, max_audit_page), what);
      result.appended = self->state.log.num_appended();
      result.dropped = self->state.log.num_dropped();
      return result;
    },
  };
}

} // namespace citytwin::actors
