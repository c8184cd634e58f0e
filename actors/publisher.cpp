// actors/publisher.cpp
#include "actors/publisher.hpp"

#include "actors/defaults.hpp"
#include "actors/type_ids.hpp"

#include <algorithm>

namespace citytwin::actors {

void publisher_state::add(const twin::delta& d) {
  ++stats.deltas;
  for (auto& sub : subscribers)
    if (sub.filter.accepts(d.state.id.kind))
      sub.pending.push_back(d);
}

void publisher_state::add(const rejection_report& report) {
  if (stats.rejected_by_reason.size() < num_reasons)
    stats.rejected_by_reason.resize(num_reasons);
  for (size_t i = 0; i < report.by_reason.size() && i < num_reasons; ++i) {
    stats.rejected_by_reason[i] += report.by_reason[i];
    stats.readings_rejected += report.by_reason[i];
  }
}

bool publisher_state::batch_full() const {
  return std::any_of(subscribers.begin(), subscribers.end(),
                     [](const subscriber& sub) {
                       return sub.pending.size() >= defaults::max_delta_batch;
                     });
}

void publisher_state::subscribe(subscriber_actor handle,
                                subscription_filter filter) {
  unsubscribe(handle.address());
  subscribers.push_back({std::move(handle), filter, {}});
  stats.subscribers = static_cast<uint32_t>(subscribers.size());
}

void publisher_state::unsubscribe(const caf::actor_addr& addr) {
  subscribers.erase(std::remove_if(subscribers.begin(), subscribers.end(),
                                   [&](const subscriber& sub) {
                                     return sub.handle.address() == addr;
                                   }),
                    subscribers.end());
  stats.subscribers = static_cast<uint32_t>(subscribers.size());
}

publisher_actor::behavior_type
publisher(publisher_actor::stateful_pointer<publisher_state> self) {
  self->set_down_handler([self](const caf::down_msg& msg) {
    self->state.unsubscribe(msg.source);
  });
  // Batches go out when full or when no further delta is waiting, so a
  // busy city sends few large messages and a quiet one sends at once.
  auto flush_if_due = [self] {
    if (self->state.batch_full() || self->mailbox().empty())
      self->state.flush([self](const subscriber_actor& to, auto&& batch) {
        self->send(to, std::forward<decltype(batch)>(batch));
      });
  };
  return {
      [self, flush_if_due](twin::delta& d) {
        self->state.add(d);
        flush_if_due();
      },
      [self](reject_atom, const rejection_report& report) {
        self->state.add(report);
      },
      [self](caf::subscribe_atom, subscriber_actor sub,
             subscription_filter filter) {
        self->monitor(sub);
        self->state.subscribe(std::move(sub), filter);
        return caf::ok_atom_v;
      },
      [self](caf::unsubscribe_atom, const subscriber_actor& sub) {
        self->state.unsubscribe(sub.address());
      },
      [self](stats_atom) { return self->state.stats; },
  };
}

} // namespace citytwin::actors
