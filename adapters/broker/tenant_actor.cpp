// adapters/broker/tenant_actor.cpp
#include "adapters/broker/tenant_actor.hpp"

#include "adapters/broker/alert_entity.hpp"
#include "adapters/broker/virtual_sensor.hpp"

#include "actors/defaults.hpp"
#include "actors/type_ids.hpp"
#include "adapters/broker/broker.hpp"
#include "adapters/broker/twin_mirror.hpp"
#include "twin/wall_clock.hpp"

#include <caf/scoped_actor.hpp>

#include <chrono>
#include <iostream>
#include <unordered_map>

namespace citytwin::broker {

namespace {

constexpr auto subscribe_timeout = std::chrono::seconds(10);

} // namespace

void tenant_actor_state::apply(const twin::delta_batch& batch) {
  // A delta carries the entity's whole state, so of several deltas of one
  // entity in a batch only the last matters; the others are counted as
  // coalesced by every subscription that would have received them.
  std::unordered_map<twin::entity_id, size_t> last;
  std::unordered_map<twin::entity_id, uint64_t> weight;
  for (size_t i = 0; i < batch.size(); ++i) {
    last[batch[i].state.id] = i;
    ++weight[batch[i].state.id];
  }
  num_deltas += batch.size();
  // Without subscriptions nobody needs the rendered documents.
  bool render = space->has_subscriptions();
  auto now = twin::now_ms();
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& d = batch[i];
    if (last[d.state.id] != i)
      continue;
    auto change = space->store().update_live(
        twin::to_urn(d.state.id, space->name()), d.state, now, render);
    if (!change)
      continue; // an API entity holds the id: the twin's stays unseen
    if (render) {
      change->weight = weight[d.state.id];
      space->publish(*change);
    }
  }
}

void tenant_actor_state::apply(const rules::alert& a) {
  keep(alert_document(a, space->name()));
  if (history) {
    // The status as a number, at the time of the transition: a stream
    // the temporal API and h5py read like a sensor's.
    auto at = a.status == rules::alert_status::raised ? a.raised_at
              : a.status == rules::alert_status::acknowledged
                ? a.acknowledged_at
                : a.cleared_at;
    history->keep_derived({alert_urn(a.id, space->name()),
                           std::string{alert_status_stream}},
                          {at != 0 ? at : a.raised_at,
                           static_cast<double>(a.status)});
  }
}

void tenant_actor_state::apply(
  const std::vector<rules::aggregate_value>& values) {
  for (const auto& x : values) {
    keep(virtual_sensor_document(x, space->name()));
    if (history)
      history->keep_derived({virtual_sensor_urn(x, space->name()), "value"},
                            {x.window_end, x.value});
  }
}

void tenant_actor_state::keep(nlohmann::json doc) {
  auto id = doc["id"].get<std::string>();
  auto& store = space->store();
  auto change = store.get(id) ? store.replace(id, std::move(doc))
                              : store.create(std::move(doc));
  if (!change) {
    // Our own document refused by our own store is a bug, reported.
    std::cerr << "citytwin: tenant '" << space->name() << "': " << id
              << " not stored: " << twin::describe(change.error()) << '\n';
    return;
  }
  if (space->has_subscriptions())
    space->publish(*change);
}

actors::tenant_gauges tenant_actor_state::gauges() const {
  return {space->store().size(), space->num_subscriptions(), num_deltas};
}

void tenant_actor_state::publish_gauges() {
  auto g = gauges();
  counters->entities.store(g.entities, std::memory_order_relaxed);
  counters->subscriptions.store(g.subscriptions, std::memory_order_relaxed);
  counters->deltas.store(g.deltas, std::memory_order_relaxed);
}

actors::tenant_actor::behavior_type
tenant_actor(actors::tenant_actor::stateful_pointer<tenant_actor_state> self,
             std::shared_ptr<tenant_space> space,
             std::shared_ptr<tenant_counters> counters,
             std::shared_ptr<archive::tenant_archive> history) {
  // CAF's spawn copies its arguments, so the space arrives shared;
  // spawn_tenant hands over the only reference.
  self->state.space = std::move(space);
  self->state.counters = std::move(counters);
  self->state.history = std::move(history);
  self->state.publish_gauges();
  return {
      [self](const twin::delta_batch& batch) {
        self->state.apply(batch);
        self->state.publish_gauges();
      },
      [self](const actors::tenant_task& task) {
        // A route that throws must not take the tenant down with it; the
        // routes answer their own errors, so this is a bug, reported.
        try {
          task.run(*self->state.space);
        } catch (const std::exception& e) {
          std::cerr << "citytwin: tenant '" << self->state.space->name()
                    << "': task failed: " << e.what() << '\n';
        }
        self->state.publish_gauges();
      },
      [self](const rules::alert& a) {
        self->state.apply(a);
        self->state.publish_gauges();
      },
      [self](const std::vector<rules::aggregate_value>& values) {
        self->state.apply(values);
        self->state.publish_gauges();
      },
      [self](caf::join_atom, actors::twin_actor twin) {
        self->state.twin = std::move(twin);
      },
      [self](actors::command_task& task) {
        if (!self->state.twin) {
          task.done(caf::make_error(twin::errc::unknown_entity,
                                    "tenant '" + self->state.space->name()
                                      + "' has no live city"));
          return;
        }
        // Asked, not waited for: the TENANT goes on with other routes and
        // deltas while the actuator decides. The twin always answers (an
        // actor that dies answers with an error), hence no timer.
        auto done = std::move(task.done);
        self->request(self->state.twin, actors::defaults::internal_timeout,
                      actors::command_atom_v, std::move(task.cmd))
          .then(
            [done](twin::entity_state& st) mutable { done(std::move(st)); },
            [done](caf::error& err) mutable { done(std::move(err)); });
      },
      [self](actors::stats_atom, caf::get_atom) {
        return self->state.gauges();
      },
  };
}

actors::tenant_actor
spawn_tenant(caf::actor_system& sys, std::unique_ptr<tenant_space> space,
             std::shared_ptr<tenant_counters> counters,
             std::shared_ptr<archive::tenant_archive> history) {
  return sys.spawn(tenant_actor,
                   std::shared_ptr<tenant_space>{std::move(space)},
                   std::move(counters), std::move(history));
}

caf::error attach_twin(caf::actor_system& sys, const actors::twin_handles& twin,
                       const actors::tenant_actor& tenant,
                       const std::string& city, archive::keep_fn keep) {
  caf::anon_send(
      tenant,
      actors::tenant_task{[writer = make_live_writer(twin.routers,
                                                     std::move(keep))](
                              tenant_space& space) { space.live = writer; }});
  caf::anon_send(tenant, caf::join_atom_v, twin.front);
  caf::scoped_actor self{sys};
  caf::error failure;
  self->request(twin.front, subscribe_timeout, caf::subscribe_atom_v,
                caf::actor_cast<actors::subscriber_actor>(tenant),
                actors::subscription_filter{})
      .receive([](caf::ok_atom) {},
               [&failure](const caf::error& err) { failure = err; });
  if (failure)
    return caf::make_error(twin::errc::io_failure,
                           "tenant '" + city
                               + "' could not subscribe to its twin: "
                               + to_string(failure));
  return {};
}

void stop_tenant(caf::actor_system& sys, actors::tenant_actor& tenant) {
  if (!tenant)
    return;
  // An exit message of normal priority waits behind every delta the
  // TENANT has not handled yet, minutes of them under overload, and
  // SIGTERM with it. Urgent messages are handled first.
  auto ptr = caf::actor_cast<caf::strong_actor_ptr>(tenant);
  ptr->enqueue(nullptr, caf::make_message_id(caf::message_priority::high),
               caf::make_message(caf::exit_msg{
                   ptr->address(), caf::exit_reason::user_shutdown}),
               nullptr);
  caf::scoped_actor self{sys};
  self->wait_for(tenant);
  tenant = nullptr;
}

} // namespace citytwin::broker
