// actors/standby.cpp
#include "actors/standby.hpp"

#include "actors/defaults.hpp"
#include "actors/shard.hpp"
#include "actors/type_ids.hpp"
#include "twin/error.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <iostream>
#include <unordered_map>
#include <thread>

namespace citytwin::actors {

namespace {

// Every kind, for forks that copy whole shards.
constexpr uint32_t all_kinds = ~uint32_t{0};
constexpr auto fork_timeout = std::chrono::seconds(60);

struct adopted_shard {
  router_actor router;
  publisher_actor publisher;
  std::shared_ptr<const directory> entities;
};

// Shards being brought up: a thread of their own spawns the entities.
struct adoption {
  std::string down;
  std::vector<uint32_t> shards;
  std::chrono::steady_clock::time_point started;
  shard_actors spawned; // written by `worker`, read after its message
  std::thread worker;
};

struct standby_state {
  static inline const char* name = "standby";
  standby_config config;
  std::vector<uint32_t> backed_up;
  std::unordered_map<twin::entity_id, twin::entity_state> copies;
  std::unordered_map<uint32_t, adopted_shard> adopted;
  std::unordered_map<uint64_t, std::unique_ptr<adoption>> adopting;
  uint64_t next_adoption = 0;
  standby_stats stats;

  standby_state() = default;
  standby_state(const standby_state&) = delete;
  standby_state& operator=(const standby_state&) = delete;

  ~standby_state() {
    // Stopped while a spawn runs: it finishes first (bounded by the
    // shards' size); its message then finds no actor.
    for (auto& [n, a] : adopting) {
      if (a->worker.joinable())
        a->worker.join();
      for (const auto& r : a->spawned.routers)
        caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
      for (const auto& p : a->spawned.publishers)
        caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
    }
    // The shards it ran go with it: peers hold their handles, and CAF
    // 0.17.6 crashes destroying an actor that never exited in its
    // registry's destructor.
    for (const auto& [i, a] : adopted) {
      caf::anon_send_exit(a.router, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(a.publisher, caf::exit_reason::user_shutdown);
    }
  }

  bool busy_with(uint32_t shard) const {
    for (const auto& [n, a] : adopting)
      if (std::find(a->shards.begin(), a->shards.end(), shard)
          != a->shards.end())
        return true;
    return false;
  }

  bool backs_up(uint32_t shard) const {
    return std::find(backed_up.begin(), backed_up.end(), shard)
           != backed_up.end();
  }
};

void subscribe_to(standby_actor::stateful_pointer<standby_state> self,
                  const publisher_actor& pub) {
  self
    ->request(pub, defaults::internal_timeout, caf::subscribe_atom_v,
              caf::actor_cast<subscriber_actor>(self), subscription_filter{})
    .then([](caf::ok_atom) {},
          [](const caf::error& err) {
            std::cerr << "citytwin: standby cannot follow a shard: "
                      << twin::describe(err) << '\n';
          });
}

// The states the shards in `shards` start from on this node: the copy of
// every entity a delta reached (`copies`, of those shards only), the
// initial state of the others, and the entities created at runtime that
// the copies know. Runs on the adoption's thread.
std::vector<twin::entity_state>
states_of(const twin::city& city, uint32_t num_shards,
          const std::vector<uint32_t>& shards,
          std::unordered_map<twin::entity_id, twin::entity_state> copies) {
  std::vector<bool> wanted(num_shards, false);
  for (auto i : shards)
    wanted[i] = true;
  std::vector<twin::entity_state> result;
  twin::for_each_initial_state(city, [&](twin::entity_state s) {
    if (!wanted[shard_of(s.id, num_shards)])
      return;
    auto copy = copies.find(s.id);
    if (copy == copies.end()) {
      result.push_back(std::move(s));
      return;
    }
    result.push_back(std::move(copy->second));
    copies.erase(copy);
  });
  for (auto& [id, s] : copies)
    result.push_back(std::move(s));
  return result;
}

standby_actor::behavior_type
standby(standby_actor::stateful_pointer<standby_state> self,
        standby_config config) {
  auto& st = self->state;
  st.config = std::move(config);
  st.backed_up = backed_up_shards(*st.config.map, st.config.self);
  st.stats.backed_up = st.backed_up;
  for (auto i : st.backed_up)
    if (i < st.config.twin.publishers.size())
      subscribe_to(self, st.config.twin.publishers[i]);
  return {
    [self](const twin::delta_batch& batch) {
      auto& st = self->state;
      st.stats.deltas += batch.size();
      for (const auto& d : batch)
        st.copies[d.state.id] = d.state;
      st.stats.entities = st.copies.size();
    },
    [self](adopt_atom, const std::string& down) {
      auto& st = self->state;
      const auto& map = *st.config.map;
      auto job = std::make_unique<adoption>();
      job->down = down;
      job->started = std::chrono::steady_clock::now();
      for (const auto& node : map.nodes)
        if (node.name == down)
          for (auto i : node.shards)
            if (st.backs_up(i) && st.adopted.count(i) == 0
                && !st.busy_with(i))
              job->shards.push_back(i);
      if (job->shards.empty())
        return;
      std::vector<bool> wanted(map.num_shards, false);
      for (auto i : job->shards)
        wanted[i] = true;
      std::unordered_map<twin::entity_id, twin::entity_state> copies;
      for (const auto& [id, state] : st.copies)
        if (wanted[shard_of(id, map.num_shards)])
          copies.emplace(id, state);
      auto n = st.next_adoption++;
      auto* raw = job.get();
      // Spawning a shard's entities takes seconds at a million: not on a
      // scheduler thread. The thread keeps this actor alive until done.
      raw->worker = std::thread(
        [raw, n, sys = &self->system(), city = st.config.city,
         num_shards = map.num_shards, audit = st.config.twin.audit,
         copies = std::move(copies),
         me = caf::actor_cast<standby_actor>(self)]() mutable {
          raw->spawned = spawn_shards(
            *sys, states_of(*city, num_shards, raw->shards, std::move(copies)),
            raw->shards, num_shards, audit, city->name);
          caf::anon_send(me, adopt_atom_v, caf::ok_atom_v, n);
        });
      st.adopting.emplace(n, std::move(job));
    },
    [self](adopt_atom, caf::ok_atom, uint64_t n) {
      auto& st = self->state;
      auto i = st.adopting.find(n);
      if (i == st.adopting.end())
        return;
      auto job = std::move(i->second);
      st.adopting.erase(i);
      job->worker.join(); // it has sent its last message
      auto& spawned = job->spawned;
      for (size_t k = 0; k < job->shards.size(); ++k)
        st.adopted[job->shards[k]] = {spawned.routers[k],
                                      spawned.publishers[k],
                                      spawned.entities};
      st.stats.shards_adopted += job->shards.size();
      // Every entity answers once a fork of its shard is complete: only
      // then do the other nodes route here.
      auto pending = std::make_shared<size_t>(job->shards.size());
      shard_handles adopted{st.config.self, job->shards, spawned.routers,
                            spawned.publishers};
      auto started = job->started;
      auto down = job->down;
      for (const auto& r : spawned.routers)
        self->request(r, defaults::internal_timeout, fork_atom_v, all_kinds)
          .then(
            [self, pending, adopted, started, down](const fork_part&) {
              if (--*pending > 0)
                return;
              auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - started);
              std::cout << "citytwin: cluster: node " << down
                        << " is down; shards";
              for (auto i : adopted.shards)
                std::cout << ' ' << i;
              std::cout << " run here from its copies, every entity "
                           "answering after "
                        << took.count() << " ms" << std::endl;
              self->send(self->state.config.node, adopt_atom_v, adopted,
                         static_cast<uint32_t>(took.count()));
            },
            [down](const caf::error& err) {
              std::cerr << "citytwin: cluster: shards of " << down
                        << " did not come up here: " << twin::describe(err)
                        << '\n';
            });
    },
    [self](move_atom, const shard_handles& moved) {
      auto& st = self->state;
      for (size_t k = 0; k < moved.shards.size(); ++k) {
        auto i = moved.shards[k];
        auto a = st.adopted.find(i);
        if (a != st.adopted.end()) {
          // Its node took it back; every TWIN routes there now.
          self->send_exit(a->second.router, caf::exit_reason::user_shutdown);
          self->send_exit(a->second.publisher,
                          caf::exit_reason::user_shutdown);
          st.adopted.erase(a);
        }
        // A shard this node backs up runs somewhere new: follow it there.
        if (st.backs_up(i) && moved.node != st.config.self
            && k < moved.publishers.size())
          subscribe_to(self, moved.publishers[k]);
      }
    },
    [self](stats_atom) { return self->state.stats; },
  };
}

} // namespace

std::vector<uint32_t> backed_up_shards(const cluster_map& map,
                                       std::string_view self) {
  auto n = map.nodes.size();
  if (n < 2)
    return {};
  for (size_t k = 0; k < n; ++k)
    if (map.nodes[k].name == self)
      return map.nodes[(k + n - 1) % n].shards;
  return {};
}

standby_actor spawn_standby(caf::actor_system& sys, standby_config config) {
  // Not this node's entities: they must go when the twin stops, whatever
  // the standby still waits for.
  config.twin.entities = nullptr;
  return sys.spawn(standby, std::move(config));
}

caf::expected<std::chrono::milliseconds>
take_back_shards(caf::actor_system& sys, const twin_handles& twin,
                 const cluster_node_actor& node, const std::string& self,
                 const std::vector<shard_handles>& taken) {
  auto started = std::chrono::steady_clock::now();
  caf::scoped_actor asking{sys};
  auto own = hosted_shards(twin, self);
  shard_handles back{self, {}, {}, {}};
  size_t states = 0;
  caf::error failure;
  for (const auto& part : taken)
    for (size_t k = 0; k < part.shards.size() && !failure; ++k) {
      auto i = part.shards[k];
      // A consistent copy of the shard as the peer runs it; readings
      // routed after it reach this node through the SHARD LINKs' replay.
      asking->request(part.routers[k], fork_timeout, fork_atom_v, all_kinds)
        .receive(
          [&](fork_part& copy) {
            for (auto& s : copy.states)
              if (auto* entity = twin.entities->find(s.id)) {
                asking->send(*entity, caf::put_atom_v, std::move(s));
                ++states;
              }
          },
          [&](caf::error& err) {
            failure = caf::make_error(
              twin::errc::io_failure,
              "node '" + part.node + "' did not hand back shard "
                + std::to_string(i) + ": " + twin::describe(err));
          });
      auto at = std::find(own.shards.begin(), own.shards.end(), i);
      if (at == own.shards.end())
        continue; // not this node's: attach_remote_shards never says so
      auto pos = static_cast<size_t>(at - own.shards.begin());
      back.shards.push_back(i);
      back.routers.push_back(own.routers[pos]);
      back.publishers.push_back(own.publishers[pos]);
    }
  if (failure)
    return failure;
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
    std::chrono::steady_clock::now() - started);
  if (!back.shards.empty())
    asking->send(node, adopt_atom_v, back,
                 static_cast<uint32_t>(took.count()));
  return took;
}

} // namespace citytwin::actors
