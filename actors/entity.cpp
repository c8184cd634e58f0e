// actors/entity.cpp
#include "actors/entity.hpp"

#include "actors/type_ids.hpp"

namespace citytwin::actors {

twin::delta entity_actor_state::observe(const twin::reading_batch& readings,
                                        rejection_report& rejected) {
  twin::delta result;
  for (const auto& x : readings) {
    auto changed = twin::apply(live, x);
    if (changed) {
      result.changed |= *changed;
      continue;
    }
    if (rejected.by_reason.empty()) {
      rejected.id = live.id;
      rejected.by_reason.resize(num_reasons);
    }
    auto code = changed.error().code();
    ++rejected.by_reason[code < num_reasons ? code : 0];
    rejected.last_message = twin::describe(changed.error());
  }
  if (result.changed != 0)
    result.state = live;
  return result;
}

entity_actor::behavior_type
entity(entity_actor::stateful_pointer<entity_actor_state> self,
       twin::entity_state initial, publisher_actor publisher) {
  self->state.live = std::move(initial);
  self->state.publisher = std::move(publisher);
  return {
    [self](observe_atom, const twin::reading_batch& readings) {
      rejection_report rejected;
      auto d = self->state.observe(readings, rejected);
      if (d.changed != 0)
        self->send(self->state.publisher, std::move(d));
      if (!rejected.by_reason.empty())
        self->send(self->state.publisher, reject_atom_v, std::move(rejected));
    },
    [self](caf::get_atom) { return self->state.live; },
  };
}

} // namespace citytwin::actors
