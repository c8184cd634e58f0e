// actors/entity.cpp
#include "actors/entity.hpp"

#include "actors/type_ids.hpp"

namespace citytwin::actors {

namespace {

// Applies one reading, adding to the changed set or to the rejections.
void apply_one(twin::entity_state& live, const twin::reading& x,
               uint32_t& changed, rejection_report& rejected) {
  auto result = twin::apply(live, x);
  if (result) {
    changed |= *result;
    return;
  }
  if (rejected.by_reason.empty()) {
    rejected.id = live.id;
    rejected.by_reason.resize(num_reasons);
  }
  auto code = result.error().code();
  ++rejected.by_reason[code < num_reasons ? code : 0];
  rejected.last_message = twin::describe(result.error());
}

} // namespace

twin::delta entity_actor_state::observe(const twin::reading_batch& readings,
                                        rejection_report& rejected) {
  twin::delta result;
  for (const auto& x : readings)
    apply_one(live, x, result.changed, rejected);
  if (result.changed != 0)
    result.state = live;
  return result;
}

twin::delta entity_actor_state::observe(const twin::reading& x,
                                        rejection_report& rejected) {
  twin::delta result;
  apply_one(live, x, result.changed, rejected);
  if (result.changed != 0)
    result.state = live;
  return result;
}

caf::expected<twin::delta> entity_actor_state::command(const twin::command& x) {
  auto changed = twin::execute(live, x);
  if (!changed)
    return std::move(changed.error());
  return twin::delta{live, *changed};
}

twin::entity_state created_state(twin::entity_id id) {
  auto result = twin::make_state(id);
  if (id.kind == twin::entity_kind::parking_sensor)
    result.as<twin::parking_sensor_state>().capacity
        = static_cast<uint32_t>(twin::info(twin::quantity::free_spaces).max);
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
        self->state.publish(self, std::move(d), std::move(rejected));
      },
      [self](observe_atom, const twin::reading& x) {
        rejection_report rejected;
        auto d = self->state.observe(x, rejected);
        self->state.publish(self, std::move(d), std::move(rejected));
      },
      [self](command_atom,
             const twin::command& x) -> caf::result<twin::entity_state> {
        auto d = self->state.command(x);
        if (!d)
          return std::move(d.error());
        self->send(self->state.publisher, std::move(*d));
        return self->state.live;
      },
      [self](caf::get_atom) { return self->state.live; },
      [self](fork_atom, const fork_slot& x) {
        x.buffer->fill(x.slot, self->state.live);
      },
      [self](caf::put_atom, twin::entity_state& kept) {
        if (kept.id != self->state.live.id)
          return; // not this entity's: a bug upstream, never applied
        self->state.live = std::move(kept);
        // Everything may differ from what subscribers last saw.
        self->send(self->state.publisher,
                   twin::delta{self->state.live, ~uint32_t{0}});
      },
  };
}

} // namespace citytwin::actors
