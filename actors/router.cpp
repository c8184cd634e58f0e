// actors/router.cpp
#include "actors/router.hpp"

#include "actors/defaults.hpp"
#include "actors/entity.hpp"
#include "actors/type_ids.hpp"
#include "twin/entity_state.hpp"
#include "twin/error.hpp"

#include <caf/spawn_options.hpp>

namespace citytwin::actors {

bool router_state::may_create(twin::entity_id id) {
  if (!twin::is_sensor(id.kind) || find(id) != nullptr) {
    ++stats.create_refused;
    return false;
  }
  return true;
}

void router_state::add_created(twin::entity_id id, entity_actor handle) {
  created.emplace(id, std::move(handle));
  if (stats.created_by_kind.empty())
    stats.created_by_kind.resize(twin::num_entity_kinds);
  ++stats.created_by_kind[twin::index_of(id.kind)];
}

void router_state::audit_command(const twin::command& x,
                                 const caf::error& refusal) {
  if (!audit)
    return;
  twin::audit_entry e;
  e.time = x.time;
  e.what = refusal ? twin::audit_kind::actuation_refused
                   : twin::audit_kind::actuation;
  e.who = x.issuer;
  e.subject = twin::to_urn(x.target, city);
  e.detail = twin::describe(x);
  e.why = x.reason;
  if (refusal)
    e.why += (e.why.empty() ? "refused: " : "; refused: ")
             + twin::describe(refusal);
  caf::anon_send(audit, std::move(e));
}

router_actor::behavior_type
router(router_actor::stateful_pointer<router_state> self,
       std::shared_ptr<const directory> entities, publisher_actor publisher,
       audit_actor audit, std::string city) {
  self->state.entities = std::move(entities);
  self->state.publisher = std::move(publisher);
  self->state.audit = std::move(audit);
  self->state.city = std::move(city);
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
      [self](create_atom, twin::entity_id id) {
        if (!self->state.may_create(id))
          return;
        // Spawned here, in the shard's router, so that every later reading
        // of the entity passes this router after the entity exists.
        self->state.add_created(
            id, self->spawn<caf::lazy_init>(entity, created_state(id),
                                            self->state.publisher));
      },
      [self](command_atom,
             twin::command& x) -> caf::result<twin::entity_state> {
        auto& stats = self->state.stats;
        ++stats.commands;
        auto* handle = self->state.find(x.target);
        if (handle == nullptr) {
          ++stats.commands_refused;
          auto err = caf::make_error(twin::errc::unknown_entity,
                                     "no actuator with that id");
          self->state.audit_command(x, err);
          return err;
        }
        // What needs no state is refused here, without a hop.
        if (auto err = twin::validate(x)) {
          ++stats.commands_refused;
          self->state.audit_command(x, err);
          return err;
        }
        auto rp = self->make_response_promise<twin::entity_state>();
        auto copy = x;
        self->request(*handle, defaults::internal_timeout, command_atom_v,
                      std::move(x))
          .then(
            [self, rp, copy](twin::entity_state& st) mutable {
              self->state.audit_command(copy, caf::error{});
              rp.deliver(std::move(st));
            },
            [self, rp, copy](caf::error& err) mutable {
              ++self->state.stats.commands_refused;
              self->state.audit_command(copy, err);
              rp.deliver(std::move(err));
            });
        return rp;
      },
      [self](caf::get_atom,
             twin::entity_id id) -> caf::result<twin::entity_state> {
        auto* handle = self->state.find(id);
        if (handle == nullptr)
          return caf::make_error(twin::errc::unknown_entity);
        return self->delegate(*handle, caf::get_atom_v);
      },
      [self](stats_atom) { return self->state.stats; },
  };
}

} // namespace citytwin::actors
