// actors/router.cpp
#include "actors/router.hpp"

#include "actors/defaults.hpp"
#include "actors/entity.hpp"
#include "actors/shard.hpp"
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

namespace {

// Calls `f(handle)` for every entity of `kinds` (bit 1 << kind) in the
// router's shard, booted with the city or created here. No handle is
// copied: a fork of a million entities would pay two atomic operations
// for each.
template <class F>
void for_each_member(const router_state& st, uint32_t kinds, F&& f) {
  for (auto kind : twin::all_entity_kinds) {
    if ((kinds & (uint32_t{1} << static_cast<int>(kind))) == 0)
      continue;
    st.entities->for_each_entity(kind, [&](twin::entity_id id,
                                           const entity_actor& handle) {
      if (shard_of(id, st.num_shards) == st.shard)
        f(handle);
    });
  }
  for (const auto& [id, handle] : st.created)
    if (kinds & (uint32_t{1} << static_cast<int>(id.kind)))
      f(handle);
}

} // namespace

router_actor::behavior_type
router(router_actor::stateful_pointer<router_state> self,
       std::shared_ptr<const directory> entities, publisher_actor publisher,
       audit_actor audit, std::string city, uint32_t shard,
       uint32_t num_shards, std::vector<uint64_t> booted_by_kind) {
  self->state.stats.booted_by_kind = std::move(booted_by_kind);
  self->state.shard = shard;
  self->state.num_shards = std::max<uint32_t>(1, num_shards);
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
        // Asked, not delegated: on a cluster the asker may be on another
        // node, and an entity that answered a remote actor stays in CAF's
        // registry until shutdown, which 0.17.6 crashes destroying. So
        // entities only ever talk to their own node.
        auto rp = self->make_response_promise<twin::entity_state>();
        self->request(*handle, defaults::internal_timeout, caf::get_atom_v)
          .then([rp](twin::entity_state& st) mutable { rp.deliver(std::move(st)); },
                [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](stats_atom) { return self->state.stats; },
      [self](fork_atom, uint32_t kinds) -> caf::result<fork_part> {
        size_t count = 0;
        for_each_member(self->state, kinds, [&](const entity_actor&) {
          ++count;
        });
        if (count == 0)
          return fork_part{self->state.shard, {}};
        auto n = self->state.next_fork++;
        auto buffer = std::make_shared<fork_buffer>();
        buffer->states.resize(count);
        buffer->pending = count;
        // Runs on the thread of the entity that fills the last slot: only
        // a message back here, where the state lives.
        buffer->done = [me = caf::actor_cast<caf::weak_actor_ptr>(self), n] {
          if (auto strong = caf::actor_cast<router_actor>(me))
            caf::anon_send(strong, fork_atom_v, caf::ok_atom_v, n);
        };
        auto rp = self->make_response_promise<fork_part>();
        self->state.forks.emplace(n, router_state::pending_fork{buffer, rp});
        // After every reading this router sent each entity so far.
        uint32_t slot = 0;
        for_each_member(self->state, kinds, [&](const entity_actor& handle) {
          self->send(handle, fork_atom_v, fork_slot{buffer, slot++});
        });
        return rp;
      },
      [self](fork_atom, caf::ok_atom, uint64_t n) {
        auto i = self->state.forks.find(n);
        // Only once every slot is filled: before that, entities still
        // write into the buffer.
        if (i == self->state.forks.end()
            || i->second.buffer->pending.load(std::memory_order_acquire) != 0)
          return;
        auto pending = std::move(i->second);
        self->state.forks.erase(i);
        // The entities are done with the buffer; its states move out.
        pending.reply.deliver(fork_part{self->state.shard,
                                        std::move(pending.buffer->states)});
      },
  };
}

} // namespace citytwin::actors
