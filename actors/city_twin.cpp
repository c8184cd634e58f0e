// actors/city_twin.cpp
#include "actors/city_twin.hpp"

#include "actors/defaults.hpp"
#include "actors/shard.hpp"
#include "actors/type_ids.hpp"

#include <caf/duration.hpp>

namespace citytwin::actors {

namespace {

using defaults::internal_timeout;

// A fork of a million entities waits behind the ingest in their
// mailboxes; the internal timeout is for single requests.
constexpr auto fork_timeout = std::chrono::seconds(60);

void add_up(std::vector<uint64_t>& sum, const std::vector<uint64_t>& part) {
  if (sum.size() < part.size())
    sum.resize(part.size());
  for (size_t i = 0; i < part.size(); ++i)
    sum[i] += part[i];
}

} // namespace

twin_actor::behavior_type
city_twin(twin_actor::stateful_pointer<city_twin_state> self, std::string city,
          std::shared_ptr<const directory> entities,
          std::vector<router_actor> routers,
          std::vector<publisher_actor> publishers) {
  self->state.city = std::move(city);
  self->state.entities = std::move(entities);
  self->state.routers = std::move(routers);
  self->state.publishers = std::move(publishers);
  return {
      [self](observe_atom, twin::reading_batch& readings) {
        auto& routers = self->state.routers;
        if (routers.size() == 1) {
          self->send(routers.front(), observe_atom_v, std::move(readings));
          return;
        }
        auto parts = split_by_shard(readings, routers.size());
        for (size_t i = 0; i < parts.size(); ++i)
          if (!parts[i].empty())
            self->send(routers[i], observe_atom_v, std::move(parts[i]));
      },
      [self](create_atom, twin::entity_id id) {
        const auto& routers = self->state.routers;
        self->send(routers[shard_of(id, routers.size())], create_atom_v, id);
      },
      [self](command_atom,
             twin::command& x) -> caf::result<twin::entity_state> {
        const auto& routers = self->state.routers;
        return self->delegate(routers[shard_of(x.target, routers.size())],
                              command_atom_v, std::move(x));
      },
      [self](caf::get_atom,
             twin::entity_id id) -> caf::result<twin::entity_state> {
        if (auto* handle = self->state.entities->find(id))
          return self->delegate(*handle, caf::get_atom_v);
        // Perhaps created at runtime: only its shard's router knows. Asked
        // rather than delegated, to name the entity in the error.
        const auto& routers = self->state.routers;
        auto rp = self->make_response_promise<twin::entity_state>();
        auto urn = twin::to_urn(id, self->state.city);
        self->request(routers[shard_of(id, routers.size())], internal_timeout,
                      caf::get_atom_v, id)
            .then(
                [rp](twin::entity_state& st) mutable {
                  rp.deliver(std::move(st));
                },
                [rp, urn](caf::error& err) mutable {
                  if (err == twin::errc::unknown_entity)
                    err = caf::make_error(twin::errc::unknown_entity, urn);
                  rp.deliver(std::move(err));
                });
        return rp;
      },
      [self](caf::subscribe_atom, subscriber_actor sub,
             subscription_filter filter) -> caf::result<caf::ok_atom> {
        auto rp = self->make_response_promise<caf::ok_atom>();
        auto pending = std::make_shared<size_t>(self->state.publishers.size());
        for (const auto& pub : self->state.publishers)
          self->request(pub, internal_timeout, caf::subscribe_atom_v, sub,
                        filter)
              .then(
                  [rp, pending](caf::ok_atom) mutable {
                    if (--*pending == 0)
                      rp.deliver(caf::ok_atom_v);
                  },
                  [rp](caf::error& err) mutable {
                    rp.deliver(std::move(err));
                  });
        return rp;
      },
      [self](caf::unsubscribe_atom, const subscriber_actor& sub) {
        for (const auto& pub : self->state.publishers)
          self->send(pub, caf::unsubscribe_atom_v, sub);
      },
      [self](stats_atom) -> caf::result<twin_stats> {
        auto rp = self->make_response_promise<twin_stats>();
        auto result = std::make_shared<twin_stats>();
        result->city = self->state.city;
        result->shards = static_cast<uint32_t>(self->state.routers.size());
        for (auto kind : twin::all_entity_kinds)
          result->entities_by_kind.push_back(self->state.entities->count(kind));
        auto pending = std::make_shared<size_t>(
            self->state.routers.size() + self->state.publishers.size());
        auto done = [rp, result, pending]() mutable {
          if (--*pending == 0)
            rp.deliver(*result);
        };
        auto fail
            = [rp](caf::error& err) mutable { rp.deliver(std::move(err)); };
        for (const auto& r : self->state.routers)
          self->request(r, internal_timeout, stats_atom_v)
              .then(
                  [result, done](const router_stats& s) mutable {
                    result->readings += s.readings;
                    result->unknown_entity += s.unknown_entity;
                    add_up(result->entities_by_kind, s.created_by_kind);
                    for (auto n : s.created_by_kind)
                      result->created += n;
                    result->commands += s.commands;
                    result->commands_refused += s.commands_refused;
                    done();
                  },
                  fail);
        for (const auto& p : self->state.publishers)
          self->request(p, internal_timeout, stats_atom_v)
              .then(
                  [result, done](const publisher_stats& s) mutable {
                    result->deltas += s.deltas;
                    result->readings_rejected += s.readings_rejected;
                    add_up(result->rejected_by_reason, s.rejected_by_reason);
                    done();
                  },
                  fail);
        return rp;
      },
      [self](fork_atom, uint32_t kinds) -> caf::result<twin_fork> {
        auto rp = self->make_response_promise<twin_fork>();
        auto result = std::make_shared<twin_fork>();
        result->city = self->state.city;
        auto pending = std::make_shared<size_t>(self->state.routers.size());
        // Every router gets the request now, so the shards' cuts are taken
        // at about the same time; each is consistent on its own.
        for (const auto& r : self->state.routers)
          self->request(r, fork_timeout, fork_atom_v, kinds)
              .then(
                  [rp, result, pending](fork_part& part) mutable {
                    auto& all = result->states;
                    if (all.empty())
                      all = std::move(part.states);
                    else
                      all.insert(all.end(),
                                 std::make_move_iterator(part.states.begin()),
                                 std::make_move_iterator(part.states.end()));
                    if (--*pending > 0)
                      return;
                    for (const auto& st : all)
                      result->as_of = std::max(result->as_of, st.updated);
                    rp.deliver(std::move(*result));
                  },
                  [rp](caf::error& err) mutable {
                    rp.deliver(std::move(err));
                  });
        return rp;
      },
  };
}

} // namespace citytwin::actors
