// actors/city_twin.cpp
#include "actors/city_twin.hpp"

#include "actors/defaults.hpp"
#include "actors/shard.hpp"
#include "actors/type_ids.hpp"

#include <caf/duration.hpp>

#include <algorithm>

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
          std::vector<publisher_actor> publishers,
          std::vector<shard_link_actor> links) {
  self->state.city = std::move(city);
  self->state.entities = std::move(entities);
  self->state.routers = std::move(routers);
  self->state.publishers = std::move(publishers);
  self->state.links = std::move(links);
  auto& pubs = self->state.publishers;
  self->state.publisher_down.assign(pubs.size(), false);
  if (!self->state.links.empty()) {
    // A request to an actor of a node that is gone is never answered:
    // the twin watches every shard's PUBLISHER (the links watch the
    // ROUTERs) and leaves out those that are down.
    for (const auto& p : pubs)
      self->monitor(p);
    self->set_down_handler([self](const caf::down_msg& x) {
      auto& st = self->state;
      for (size_t i = 0; i < st.publishers.size(); ++i)
        if (st.publishers[i].address() == x.source)
          st.publisher_down[i] = true;
    });
  }
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
        auto& subs = self->state.subscribers;
        auto known = std::find_if(subs.begin(), subs.end(),
                                  [&](auto& x) { return x.first == sub; });
        if (known != subs.end())
          known->second = filter;
        else
          subs.emplace_back(sub, filter);
        auto rp = self->make_response_promise<caf::ok_atom>();
        auto& st = self->state;
        // A shard whose node is down gets the subscriber when it moves.
        std::vector<publisher_actor> reachable;
        for (size_t i = 0; i < st.publishers.size(); ++i)
          if (!st.publisher_down[i])
            reachable.push_back(st.publishers[i]);
        if (reachable.empty())
          return caf::ok_atom_v;
        auto pending = std::make_shared<size_t>(reachable.size());
        for (const auto& pub : reachable)
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
        auto& subs = self->state.subscribers;
        subs.erase(std::remove_if(subs.begin(), subs.end(),
                                  [&](auto& x) { return x.first == sub; }),
                   subs.end());
        for (const auto& pub : self->state.publishers)
          self->send(pub, caf::unsubscribe_atom_v, sub);
      },
      [self](stats_atom) -> caf::result<twin_stats> {
        auto rp = self->make_response_promise<twin_stats>();
        auto result = std::make_shared<twin_stats>();
        result->city = self->state.city;
        result->shards = static_cast<uint32_t>(self->state.routers.size());
        // Counted by the routers: no node of a cluster has every entity.
        result->entities_by_kind.assign(twin::num_entity_kinds, 0);
        auto pending = std::make_shared<size_t>(
            self->state.routers.size() + self->state.publishers.size());
        auto done = [rp, result, pending]() mutable {
          if (--*pending == 0)
            rp.deliver(*result);
        };
        // A shard whose node is down answers with an error: the others'
        // counters still make an answer, which says how many are missing.
        auto unreachable = std::make_shared<std::vector<bool>>(
          self->state.routers.size(), false);
        auto fail_at = [result, done, unreachable](size_t i) mutable {
          return [result, done, unreachable, i](const caf::error&) mutable {
            if (!(*unreachable)[i]) {
              (*unreachable)[i] = true;
              ++result->shards_unreachable;
            }
            done();
          };
        };
        for (size_t i = 0; i < self->state.routers.size(); ++i)
          self->request(self->state.routers[i], internal_timeout, stats_atom_v)
              .then(
                  [result, done](const router_stats& s) mutable {
                    result->readings += s.readings;
                    result->unknown_entity += s.unknown_entity;
                    add_up(result->entities_by_kind, s.booted_by_kind);
                    add_up(result->entities_by_kind, s.created_by_kind);
                    for (auto n : s.created_by_kind)
                      result->created += n;
                    result->commands += s.commands;
                    result->commands_refused += s.commands_refused;
                    done();
                  },
                  fail_at(i));
        for (size_t i = 0; i < self->state.publishers.size(); ++i) {
          if (self->state.publisher_down[i]) {
            fail_at(i)(caf::error{});
            continue;
          }
          self->request(self->state.publishers[i], internal_timeout,
                        stats_atom_v)
              .then(
                  [result, done](const publisher_stats& s) mutable {
                    result->deltas += s.deltas;
                    result->readings_rejected += s.readings_rejected;
                    add_up(result->rejected_by_reason, s.rejected_by_reason);
                    done();
                  },
                  fail_at(i));
        }
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
      [self](move_atom, const shard_handles& moved) {
        auto& st = self->state;
        for (size_t k = 0; k < moved.shards.size(); ++k) {
          auto i = moved.shards[k];
          if (i >= st.routers.size() || k >= moved.routers.size()
              || k >= moved.publishers.size())
            continue;
          // Readings keep going through the link, which knows what to
          // send again (on a cluster every shard has one).
          if (i < st.links.size() && st.links[i])
            self->send(st.links[i], move_atom_v, moved.routers[k]);
          else
            st.routers[i] = moved.routers[k];
          if (!st.links.empty()) {
            if (st.publishers[i] != moved.publishers[k])
              self->demonitor(st.publishers[i].address());
            self->monitor(moved.publishers[k]);
          }
          st.publishers[i] = moved.publishers[k];
          st.publisher_down[i] = false;
          // Their subscribers follow them; deltas published between the
          // move and the subscription are the ones a viewer misses.
          for (const auto& [sub, filter] : st.subscribers)
            self
              ->request(st.publishers[i], internal_timeout,
                        caf::subscribe_atom_v, sub, filter)
              .then([](caf::ok_atom) {},
                    [](const caf::error&) {
                      // The node went away again: the next move retries.
                    });
        }
      },
  };
}

} // namespace citytwin::actors
