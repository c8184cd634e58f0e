// actors/spawn_twin.cpp
#include "actors/spawn_twin.hpp"

#include "actors/city_twin.hpp"
#include "actors/defaults.hpp"
#include "actors/entity.hpp"
#include "actors/audit.hpp"
#include "actors/publisher.hpp"
#include "actors/router.hpp"
#include "actors/shard.hpp"
#include "actors/shard_link.hpp"
#include "actors/type_ids.hpp"
#include "twin/entity_state.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/spawn_options.hpp>

#include <algorithm>
#include <thread>

namespace citytwin::actors {

namespace {

// Upper bounds that catch typos (a shard count of 10000 on two cores).
constexpr size_t max_shards = 1024;
constexpr size_t max_spawn_threads = 256;

} // namespace

caf::error twin_config::validate() const {
  if (shards > max_shards)
    return caf::make_error(twin::errc::invalid_config,
                           "shards must be at most "
                               + std::to_string(max_shards));
  if (spawn_threads > max_spawn_threads)
    return caf::make_error(twin::errc::invalid_config,
                           "spawn threads must be at most "
                               + std::to_string(max_spawn_threads));
  return caf::none;
}

shard_actors spawn_shards(caf::actor_system& sys,
                          std::vector<twin::entity_state> states,
                          const std::vector<uint32_t>& shards,
                          size_t num_shards, const audit_actor& audit,
                          const std::string& city, size_t spawn_threads) {
  shard_actors result;
  result.shards = shards;
  // By shard number, for the entities to find theirs.
  std::vector<publisher_actor> publishers(num_shards);
  std::vector<std::vector<uint64_t>> booted(num_shards);
  for (auto i : shards) {
    publishers[i] = sys.spawn(publisher);
    booted[i].assign(twin::num_entity_kinds, 0);
  }
  std::vector<twin::entity_id> ids(states.size());
  for (size_t i = 0; i < states.size(); ++i) {
    ids[i] = states[i].id;
    auto& count = booted[shard_of(ids[i], num_shards)];
    if (!count.empty())
      ++count[twin::index_of(ids[i].kind)];
  }
  std::vector<entity_actor> handles(states.size());
  auto num_threads = spawn_threads != 0 ? spawn_threads
                                        : defaults::spawn_threads;
  num_threads = std::clamp<size_t>(num_threads, 1,
                                   std::max<size_t>(1, states.size() / 1024));
  auto spawn_slice = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i)
      // lazy_init: an actor costs no scheduling until its first message,
      // which is what makes booting a million of them affordable.
      handles[i] = sys.spawn<caf::lazy_init>(
          entity, std::move(states[i]),
          publishers[shard_of(ids[i], num_shards)]);
  };
  std::vector<std::thread> threads;
  auto per_thread = (states.size() + num_threads - 1) / num_threads;
  for (size_t t = 1; t < num_threads; ++t)
    threads.emplace_back(spawn_slice, std::min(states.size(), t * per_thread),
                         std::min(states.size(), (t + 1) * per_thread));
  spawn_slice(0, std::min(states.size(), per_thread));
  for (auto& th : threads)
    th.join();
  auto dir = std::make_shared<directory>();
  for (size_t i = 0; i < handles.size(); ++i)
    dir->add(ids[i], std::move(handles[i]));
  result.entities = dir;
  for (auto i : shards) {
    result.publishers.push_back(publishers[i]);
    result.routers.push_back(sys.spawn(
      router, result.entities, publishers[i], audit, city,
      static_cast<uint32_t>(i), static_cast<uint32_t>(num_shards),
      std::move(booted[i])));
  }
  return result;
}

caf::expected<twin_handles> spawn_twin(caf::actor_system& sys,
                                       const twin::city& c,
                                       const twin_config& config) {
  if (auto err = config.validate())
    return err;
  auto shards = config.shards != 0
                    ? config.shards
                    : std::max<size_t>(1, sys.scheduler().num_workers());
  if (!config.hosted.empty() && config.hosted.size() != shards)
    return caf::make_error(twin::errc::invalid_config,
                           "the hosted shards must be given for all "
                             + std::to_string(shards) + " shards");
  twin_handles result;
  result.hosted = config.hosted.empty() ? std::vector<bool>(shards, true)
                                        : config.hosted;
  // Initial states first, so that threads can spawn disjoint slices; only
  // those of the shards hosted here.
  std::vector<twin::entity_state> states;
  states.reserve(c.num_entities());
  twin::for_each_initial_state(c, [&](twin::entity_state st) {
    auto& next = result.next_number[twin::index_of(st.id.kind)];
    next = std::max(next, st.id.number + 1);
    if (result.hosts(shard_of(st.id, shards)))
      states.push_back(std::move(st));
  });
  std::vector<uint32_t> hosted;
  for (size_t i = 0; i < shards; ++i)
    if (result.hosts(i))
      hosted.push_back(static_cast<uint32_t>(i));
  result.audit = sys.spawn(audit, defaults::audit_capacity);
  auto spawned = spawn_shards(sys, std::move(states), hosted, shards,
                              result.audit, c.name, config.spawn_threads);
  result.entities = std::move(spawned.entities);
  result.routers.resize(shards);
  result.publishers.resize(shards);
  for (size_t k = 0; k < hosted.size(); ++k) {
    result.routers[hosted[k]] = std::move(spawned.routers[k]);
    result.publishers[hosted[k]] = std::move(spawned.publishers[k]);
  }
  if (hosted.size() == shards)
    result.front = sys.spawn(city_twin, c.name, result.entities,
                             result.routers, result.publishers,
                             std::vector<shard_link_actor>{});
  return result;
}

shard_handles hosted_shards(const twin_handles& twin, std::string node) {
  shard_handles result;
  result.node = std::move(node);
  for (size_t i = 0; i < twin.routers.size(); ++i)
    if (twin.hosts(i)) {
      // Once attached, `routers` holds links: the ROUTER is behind one.
      auto k = result.shards.size();
      result.shards.push_back(static_cast<uint32_t>(i));
      result.routers.push_back(k < twin.own_routers.size()
                                 ? twin.own_routers[k]
                                 : twin.routers[i]);
      result.publishers.push_back(twin.publishers[i]);
    }
  return result;
}

caf::expected<std::vector<shard_handles>>
attach_remote_shards(caf::actor_system& sys, twin_handles& twin,
                     const std::string& city,
                     const std::vector<shard_handles>& remote) {
  std::vector<shard_handles> taken;
  auto routers = twin.routers;
  auto publishers = twin.publishers;
  auto problem = [](std::string what) {
    return caf::make_error(twin::errc::invalid_config, std::move(what));
  };
  for (const auto& part : remote) {
    if (part.routers.size() != part.shards.size()
        || part.publishers.size() != part.shards.size())
      return problem("node '" + part.node + "' sent a malformed shard list");
    for (size_t k = 0; k < part.shards.size(); ++k) {
      auto i = part.shards[k];
      if (i >= routers.size())
        return problem("node '" + part.node + "' hosts shard "
                       + std::to_string(i) + " of only "
                       + std::to_string(routers.size()));
      if (!part.routers[k] || !part.publishers[k])
        return problem("node '" + part.node + "' has no actors for shard "
                       + std::to_string(i));
      if (twin.hosts(i)) {
        // This node's own, run by the peer while this node was down.
        if (taken.empty() || taken.back().node != part.node)
          taken.push_back(shard_handles{part.node, {}, {}, {}});
        taken.back().shards.push_back(i);
        taken.back().routers.push_back(part.routers[k]);
        taken.back().publishers.push_back(part.publishers[k]);
        continue;
      }
      if (routers[i])
        return problem("shard " + std::to_string(i) + " is claimed by node '"
                       + part.node + "' and another node");
      routers[i] = part.routers[k];
      publishers[i] = part.publishers[k];
    }
  }
  std::string missing;
  for (size_t i = 0; i < routers.size(); ++i)
    if (!routers[i])
      missing += (missing.empty() ? "" : ", ") + std::to_string(i);
  if (!missing.empty())
    return problem("no node hosts shard(s) " + missing);
  // Every shard is reached through a link of this node, so a shard that
  // moves is followed in one place for every sender here (the TWIN, the
  // ingest, the broker's writes to live entities). This node's own shards
  // too: if its peers lost it for a while and moved them, what it routed
  // meanwhile follows them instead of piling up in a stale copy.
  twin.links.assign(routers.size(), shard_link_actor{});
  for (size_t i = 0; i < routers.size(); ++i) {
    twin.links[i] = sys.spawn(shard_link, routers[i],
                              defaults::cluster_replay_s);
    routers[i] = caf::actor_cast<router_actor>(twin.links[i]);
  }
  for (size_t i = 0; i < twin.routers.size(); ++i)
    if (twin.hosts(i))
      twin.own_routers.push_back(twin.routers[i]);
  twin.routers = std::move(routers);
  twin.publishers = std::move(publishers);
  twin.front = sys.spawn(city_twin, city, twin.entities, twin.routers,
                         twin.publishers, twin.links);
  return taken;
}

void stop_twin(caf::actor_system& sys, twin_handles& twin) {
  caf::scoped_actor self{sys, true};
  auto stop = [&](const auto& handle) {
    if (!handle)
      return;
    self->send_exit(handle, caf::exit_reason::user_shutdown);
    self->wait_for(handle);
  };
  stop(twin.front);
  // Only this node's own: the other shards' actors belong to their nodes.
  // On a cluster, `routers` are links; the own ROUTERs are behind them.
  for (size_t i = 0; i < twin.routers.size(); ++i)
    if (twin.hosts(i) && twin.links.empty())
      stop(twin.routers[i]);
  for (const auto& r : twin.own_routers)
    stop(r);
  for (size_t i = 0; i < twin.publishers.size(); ++i)
    if (twin.hosts(i))
      stop(twin.publishers[i]);
  for (const auto& link : twin.links)
    stop(link);
  stop(twin.audit);
  twin = {};
}

} // namespace citytwin::actors
