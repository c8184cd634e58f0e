// actors/shard_link.cpp
#include "actors/shard_link.hpp"

#include "actors/type_ids.hpp"
#include "twin/error.hpp"

#include <chrono>

namespace citytwin::actors {

shard_link_actor::behavior_type
shard_link(shard_link_actor::stateful_pointer<shard_link_state> self,
           router_actor target, uint32_t keep_s) {
  self->state.target = std::move(target);
  self->state.keep_s = std::max<uint32_t>(1, keep_s);
  self->state.kept.emplace_back();
  self->send(self, caf::tick_atom_v);
  // A message to an actor of a node that is gone is lost without a word:
  // the link watches its target instead, and refuses what would wait
  // forever.
  self->monitor(self->state.target);
  self->set_down_handler([self](const caf::down_msg& x) {
    if (x.source == self->state.target.address())
      self->state.target_down = true;
  });
  auto refused = [] {
    return caf::make_error(twin::errc::io_failure,
                           "the node of this shard is down");
  };
  return {
    [self](observe_atom, twin::reading_batch& readings) {
      auto& st = self->state;
      if (st.kept_readings + readings.size() <= max_kept_readings) {
        auto& now = st.kept.back().readings;
        now.insert(now.end(), readings.begin(), readings.end());
        st.kept_readings += readings.size();
      } else {
        st.not_kept += readings.size();
      }
      if (!st.target_down)
        self->send(st.target, observe_atom_v, std::move(readings));
    },
    [self](create_atom, twin::entity_id id) {
      self->state.kept.back().created.push_back(id);
      if (!self->state.target_down)
        self->send(self->state.target, create_atom_v, id);
    },
    [self, refused](command_atom,
                    twin::command& x) -> caf::result<twin::entity_state> {
      if (self->state.target_down)
        return refused();
      return self->delegate(self->state.target, command_atom_v, std::move(x));
    },
    [self, refused](caf::get_atom,
                    twin::entity_id id) -> caf::result<twin::entity_state> {
      if (self->state.target_down)
        return refused();
      return self->delegate(self->state.target, caf::get_atom_v, id);
    },
    [self, refused](stats_atom) -> caf::result<router_stats> {
      if (self->state.target_down)
        return refused();
      return self->delegate(self->state.target, stats_atom_v);
    },
    [self, refused](fork_atom, uint32_t kinds) -> caf::result<fork_part> {
      if (self->state.target_down)
        return refused();
      return self->delegate(self->state.target, fork_atom_v, kinds);
    },
    [](fork_atom, caf::ok_atom, uint64_t) {
      // Only the shard's real ROUTER counts its forks.
    },
    [self](move_atom, router_actor& to) {
      auto& st = self->state;
      if (st.target != to)
        self->demonitor(st.target.address());
      st.target = std::move(to);
      st.target_down = false;
      self->monitor(st.target);
      ++st.moves;
      // In the order they were sent: creations of a second before its
      // readings, as the ingest announces an entity before its first.
      for (const auto& s : st.kept) {
        for (auto id : s.created)
          self->send(st.target, create_atom_v, id);
        if (!s.readings.empty()) {
          st.resent += s.readings.size();
          self->send(st.target, observe_atom_v, s.readings);
        }
      }
    },
    [self](caf::tick_atom) {
      // Simulated time is in the readings; this only bounds how long
      // copies are kept.
      auto& st = self->state;
      st.kept.emplace_back();
      while (st.kept.size() > st.keep_s) {
        st.kept_readings -= st.kept.front().readings.size();
        st.kept.pop_front();
      }
      self->delayed_send(self, std::chrono::seconds(1), caf::tick_atom_v);
    },
  };
}

} // namespace citytwin::actors
