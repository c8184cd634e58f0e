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
      self->state.route(readings, [self](const entity_actor& to,
                                         twin::reading_batch batch) {
        self->send(to, observe_atom_v, std::move(batch));
      });
    },
    [self](stats_atom) { return self->state.stats; },
  };
}

} // namespace citytwin::actors
