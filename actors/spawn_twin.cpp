// actors/spawn_twin.cpp
#include "actors/spawn_twin.hpp"

#include "actors/city_twin.hpp"
#include "actors/defaults.hpp"
#include "actors/entity.hpp"
#include "actors/audit.hpp"
#include "actors/publisher.hpp"
#include "actors/router.hpp"
#include "actors/shard.hpp"
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

caf::expected<twin_handles> spawn_twin(caf::actor_system& sys,
                                       const twin::city& c,
                                       const twin_config& config) {
  if (auto err = config.validate())
    return err;
  auto shards = config.shards != 0
                    ? config.shards
                    : std::max<size_t>(1, sys.scheduler().num_workers());
  twin_handles result;
  for (size_t i = 0; i < shards; ++i)
    result.publishers.push_back(sys.spawn(publisher));
  // Initial states first, so that threads can spawn disjoint slices.
  std::vector<twin::entity_state> states;
  states.reserve(c.num_entities());
  twin::for_each_initial_state(
      c, [&](twin::entity_state st) { states.push_back(std::move(st)); });
  std::vector<twin::entity_id> ids(states.size());
  for (size_t i = 0; i < states.size(); ++i)
    ids[i] = states[i].id;
  std::vector<entity_actor> handles(states.size());
  auto num_threads = config.spawn_threads != 0 ? config.spawn_threads
                                               : defaults::spawn_threads;
  num_threads = std::clamp<size_t>(num_threads, 1,
                                   std::max<size_t>(1, states.size() / 1024));
  auto spawn_slice = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i)
      // lazy_init: an actor costs no scheduling until its first message,
      // which is what makes booting a million of them affordable.
      handles[i] = sys.spawn<caf::lazy_init>(
          entity, std::move(states[i]),
          result.publishers[shard_of(ids[i], shards)]);
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
  result.audit = sys.spawn(audit, defaults::audit_capacity);
  for (size_t i = 0; i < shards; ++i)
    result.routers.push_back(sys.spawn(router, result.entities,
                                       result.publishers[i], result.audit,
                                       c.name, static_cast<uint32_t>(i),
                                       static_cast<uint32_t>(shards)));
  result.front = sys.spawn(city_twin, c.name, result.entities, result.routers,
                           result.publishers);
  return result;
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
  for (const auto& r : twin.routers)
    stop(r);
  for (const auto& p : twin.publishers)
    stop(p);
  stop(twin.audit);
  twin = {};
}

} // namespace citytwin::actors
