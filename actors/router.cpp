// actors/router.cpp
#include "actors/router.hpp"

#include "actors/type_ids.hpp"

namespace citytwin::actors {

router_actor::behavior_type
router(router_actor::stateful_pointer<router_state> self,
       std::shared_ptr<const directory> entities) {
  self->state.entities = std::move(entities);
  return {
      [self](observe_atom, twin::reading_batch& readings) {
        using iterator = twin::reading_batch::const_iterator;
        self->state.route(readings, [self](const entity_actor& to,
                                           iterator first, iterator last) {
          if (last - first == 1)
            self->send(to, observe_atom_v, *first);
          else
            self->send(to, observe_atom_v, twin::reading_batch(first, last));
        });
      },
      [self](stats_atom) { return self->state.stats; },
  };
}

} // namespace citytwin::actors
