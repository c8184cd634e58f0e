// actors/entity.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "twin/entity_state.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace citytwin::actors {

/// State of an ENTITY actor: the thing's live state and where its changes
/// go. Kept small: a city has millions of these.
struct entity_actor_state {
  static inline const char* name = "entity";

  twin::entity_state live;
  publisher_actor publisher;

  /// Applies a batch of readings. Returns the delta to publish (changed
  /// == 0 when nothing changed) and fills `rejected` if any reading was
  /// refused; valid readings in the same batch are applied regardless.
  twin::delta observe(const twin::reading_batch& readings,
                      rejection_report& rejected);

  /// Applies one reading (see above).
  twin::delta observe(const twin::reading& x, rejection_report& rejected);

  /// Executes a command: the delta to publish, or why it was refused.
  caf::expected<twin::delta> command(const twin::command& x);

  /// Sends the outcome of `observe` to the publisher: the delta if anything
  /// changed, the rejections if any.
  template <class Self>
  void publish(Self* self, twin::delta&& d, rejection_report&& rejected) {
    if (d.changed != 0)
      self->send(publisher, std::move(d));
    if (!rejected.by_reason.empty())
      self->send(publisher, reject_atom_v, std::move(rejected));
  }
};

/// The initial state of an entity created at runtime, which has no static
/// attributes from a city file. FIXME: a car park's capacity is unknown,
/// so it is set to the largest free_spaces value the twin accepts: readings
/// apply, but its occupancy means nothing until twin/ can express "unknown
/// capacity".
twin::entity_state created_state(twin::entity_id id);

/// The behavior of an ENTITY actor, starting from `initial` and publishing
/// every change to `publisher`.
entity_actor::behavior_type
entity(entity_actor::stateful_pointer<entity_actor_state> self,
       twin::entity_state initial, publisher_actor publisher);

} // namespace citytwin::actors
