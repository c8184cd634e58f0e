// actors/cluster_node.cpp
#include "actors/cluster_node.hpp"

#include "actors/type_ids.hpp"
#include "twin/error.hpp"
#include "twin/fnv1a.hpp"
#include "twin/text.hpp"

#include <caf/config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#ifndef CITYTWIN_VERSION
#  define CITYTWIN_VERSION "unknown"
#endif

namespace citytwin::actors {

namespace {

constexpr std::string_view hello_magic = "citytwin-cluster 1";
constexpr size_t max_hello_bytes = 1024;
// How long one join request may take once the peer is connected.
constexpr auto join_timeout = std::chrono::seconds(5);
// Between two tries to reach a peer that is not up yet.
constexpr auto retry_every = std::chrono::milliseconds(200);

template <caf::type_id_t... Offsets>
uint64_t hash_type_names(std::integer_sequence<caf::type_id_t, Offsets...>) {
  twin::fnv1a h;
  (h.text(caf::type_name_by_id<caf::id_block::citytwin::begin
                               + Offsets>::value),
   ...);
  return h.value();
}

std::string hex(uint64_t x) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
  return buf;
}

std::string software() {
  return std::string{"citytwin-"} + CITYTWIN_VERSION + "+caf-"
         + std::to_string(CAF_VERSION);
}

// key=value fields after the magic; false if malformed.
bool read_fields(std::string_view hello,
                 std::map<std::string, std::string>& out) {
  if (hello.size() > max_hello_bytes
      || hello.substr(0, hello_magic.size()) != hello_magic)
    return false;
  for (auto part : twin::split(hello.substr(hello_magic.size()), ' ')) {
    if (part.empty())
      continue;
    auto eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return false;
    out.emplace(std::string{part.substr(0, eq)},
                std::string{part.substr(eq + 1)});
  }
  return true;
}

struct peer_link {
  cluster_node_actor handle;
  cluster_peer_status status;
};

struct node_state {
  static inline const char* name = "cluster_node";
  node_state() = default;
  std::shared_ptr<const cluster_map> map;
  std::string self;
  uint64_t accepted = 0;
  uint64_t refused = 0;
  std::vector<peer_link> peers;
  bool ticking = false;
  twin::time_ms last_tick = 0;
  /// The shards this node hosts, once they run; peers that ask earlier
  /// wait in `asking`.
  std::optional<shard_handles> hosted;
  std::vector<caf::typed_response_promise<shard_handles>> asking;
  /// This node's TWIN and STANDBY, once serve has them.
  twin_actor twin;
  standby_actor standby;
  uint64_t shards_adopted = 0;
  uint32_t last_adoption_ms = 0;
};

// Shards moved to `moved.node`: this node's own list changes if they came
// here or left, and its TWIN routes to them there from now on.
void note_move(cluster_node_actor::stateful_pointer<node_state> self,
               const shard_handles& moved) {
  auto& st = self->state;
  if (st.hosted) {
    auto& h = *st.hosted;
    for (size_t k = 0; k < moved.shards.size(); ++k) {
      auto i = std::find(h.shards.begin(), h.shards.end(), moved.shards[k]);
      auto pos = static_cast<size_t>(i - h.shards.begin());
      if (moved.node == st.self) {
        if (i == h.shards.end()) {
          h.shards.push_back(moved.shards[k]);
          h.routers.push_back(moved.routers[k]);
          h.publishers.push_back(moved.publishers[k]);
        }
      } else if (i != h.shards.end()) {
        h.shards.erase(i);
        h.routers.erase(h.routers.begin() + pos);
        h.publishers.erase(h.publishers.begin() + pos);
      }
    }
  }
  if (st.twin)
    self->send(st.twin, move_atom_v, moved);
}

twin::time_ms wall_now();

// A peer that accepted this node or that this node accepted: heartbeats
// go to `handle` from now on (a node that comes back has a new one).
void keep_peer(cluster_node_actor::stateful_pointer<node_state> self,
               const std::string& name, const caf::actor& handle) {
  auto now = wall_now();
  auto& peers = self->state.peers;
  auto known = std::find_if(peers.begin(), peers.end(), [&](auto& p) {
    return p.status.name == name;
  });
  if (known == peers.end()) {
    peers.emplace_back();
    known = peers.end() - 1;
    known->status.name = name;
  }
  known->handle = caf::actor_cast<cluster_node_actor>(handle);
  if (!known->status.up || known->status.since == 0) {
    known->status.up = true;
    known->status.since = now;
  }
  known->status.last_seen = now;
  if (!self->state.ticking) {
    self->state.ticking = true;
    self->send(self, caf::tick_atom_v);
  }
}

twin::time_ms wall_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

cluster_node_actor::behavior_type
cluster_node_behavior(cluster_node_actor::stateful_pointer<node_state> self,
                      std::shared_ptr<const cluster_map> map,
                      std::string name) {
  self->state.map = std::move(map);
  self->state.self = std::move(name);
  return {
    [self](caf::join_atom, const std::string& hello,
           const caf::actor& node) -> caf::result<std::string> {
      auto& st = self->state;
      auto peer = check_hello(hello, *st.map, st.self);
      if (!peer) {
        ++st.refused;
        return std::move(peer.error());
      }
      ++st.accepted;
      if (node)
        keep_peer(self, *peer, node);
      return cluster_hello(*st.map, st.self);
    },
    [](heartbeat_atom) { return caf::ok_atom_v; },
    [self](caf::put_atom, const std::string& name, const caf::actor& peer) {
      keep_peer(self, name, peer);
    },
    [self](caf::tick_atom) {
      auto now = wall_now();
      auto& st = self->state;
      auto& peers = st.peers;
      // This node itself stood still (stopped, swapped out): its peers
      // were not silent, it did not ask. They get a fresh period.
      if (st.last_tick != 0
          && now - st.last_tick > cluster_peer_timeout.count())
        for (auto& p : peers)
          p.status.last_seen = std::max(p.status.last_seen, now);
      st.last_tick = now;
      for (size_t i = 0; i < peers.size(); ++i) {
        auto& p = peers[i].status;
        // Silent for longer than the limit: down (until it answers again).
        if (p.up && now - p.last_seen > cluster_peer_timeout.count()) {
          p.up = false;
          p.since = now;
          // Its shards: this node brings up those it backs up, but only
          // while it sees a majority of the cluster (itself included); a
          // node cut off from the others must not run a second copy of
          // shards that live on in the majority.
          size_t up = 1;
          for (const auto& q : peers)
            up += q.status.up ? 1 : 0;
          if (st.standby && 2 * up > st.map->nodes.size())
            self->send(st.standby, adopt_atom_v, p.name);
        }
        self->request(peers[i].handle, cluster_heartbeat_every * 2,
                      heartbeat_atom_v)
          .then(
            [self, i](caf::ok_atom) {
              auto& q = self->state.peers[i].status;
              q.last_seen = wall_now();
              if (!q.up) {
                q.up = true;
                q.since = q.last_seen;
              }
            },
            [](const caf::error&) {
              // Counted by its silence: the next tick looks at last_seen.
            });
      }
      self->delayed_send(self, cluster_heartbeat_every, caf::tick_atom_v);
    },
    [self](caf::put_atom, shard_handles& hosted) {
      auto& st = self->state;
      st.hosted = std::move(hosted);
      for (auto& rp : st.asking)
        rp.deliver(*st.hosted);
      st.asking.clear();
    },
    [self](caf::get_atom, shard_atom) -> caf::result<shard_handles> {
      auto& st = self->state;
      if (st.hosted)
        return *st.hosted;
      // A peer that boots faster asks before this node's shards run: it
      // waits (its own request bounds how long).
      st.asking.push_back(self->make_response_promise<shard_handles>());
      return st.asking.back();
    },
    [self](caf::get_atom, shard_atom,
           uint32_t wait_ms) -> caf::result<std::vector<shard_handles>> {
      auto& st = self->state;
      auto rp = self->make_response_promise<std::vector<shard_handles>>();
      std::vector<const peer_link*> asked;
      std::string missing;
      for (const auto& node : st.map->nodes) {
        if (node.name == st.self)
          continue;
        auto link = std::find_if(st.peers.begin(), st.peers.end(),
                                 [&](auto& p) { return p.status.name == node.name; });
        if (link == st.peers.end() || !link->handle)
          missing += (missing.empty() ? "" : ", ") + node.name;
        else
          asked.push_back(&*link);
      }
      if (!missing.empty()) {
        rp.deliver(caf::make_error(twin::errc::invalid_config,
                                   "not joined with node(s) " + missing));
        return rp;
      }
      auto result = std::make_shared<std::vector<shard_handles>>();
      auto pending = std::make_shared<size_t>(asked.size());
      if (asked.empty()) {
        rp.deliver(std::vector<shard_handles>{});
        return rp;
      }
      for (const auto* link : asked) {
        auto name = link->status.name;
        self
          ->request(link->handle, std::chrono::milliseconds{wait_ms},
                    caf::get_atom_v, shard_atom_v)
          .then(
            [rp, result, pending](shard_handles& part) mutable {
              if (*pending == 0) // another peer failed: answered already
                return;
              result->push_back(std::move(part));
              if (--*pending == 0)
                rp.deliver(std::move(*result));
            },
            [rp, pending, name](caf::error& err) mutable {
              // The first failure answers; later replies find it spent.
              if (*pending == 0)
                return;
              *pending = 0;
              rp.deliver(caf::make_error(
                twin::errc::invalid_config,
                "node '" + name + "' did not say which shards it hosts: "
                  + twin::describe(err)));
            });
      }
      return rp;
    },
    [self](caf::put_atom, twin_actor& twin, standby_actor& standby) {
      self->state.twin = std::move(twin);
      self->state.standby = std::move(standby);
    },
    [self](adopt_atom, shard_handles& adopted, uint32_t took_ms) {
      auto& st = self->state;
      st.shards_adopted += adopted.shards.size();
      st.last_adoption_ms = took_ms;
      note_move(self, adopted);
      for (const auto& p : st.peers)
        if (p.handle)
          self->send(p.handle, move_atom_v, adopted);
    },
    [self](move_atom, const shard_handles& moved) {
      // From a peer: a list that does not add up goes no further (the
      // TWIN and the STANDBY index by it), and is counted as refused.
      auto n = moved.shards.size();
      if (moved.routers.size() != n || moved.publishers.size() != n
          || std::any_of(moved.shards.begin(), moved.shards.end(),
                         [&](uint32_t i) {
                           return i >= self->state.map->num_shards;
                         })) {
        ++self->state.refused;
        return;
      }
      note_move(self, moved);
      // This node's shards came back to it elsewhere: its STANDBY stops
      // the copies it ran meanwhile (after the move reached its TWIN).
      if (moved.node != self->state.self && self->state.standby)
        self->send(self->state.standby, move_atom_v, moved);
    },
    [self](caf::get_atom) {
      cluster_status result;
      result.self = self->state.self;
      result.map_version = self->state.map->version;
      for (const auto& p : self->state.peers) {
        result.peers.push_back(p.status);
        if (!p.status.up
            && (result.degraded_since == 0
                || p.status.since < result.degraded_since))
          result.degraded_since = p.status.since;
      }
      if (self->state.hosted)
        result.hosted = self->state.hosted->shards;
      std::sort(result.hosted.begin(), result.hosted.end());
      result.shards_adopted = self->state.shards_adopted;
      result.last_adoption_ms = self->state.last_adoption_ms;
      return result;
    },
  };
}

} // namespace

uint64_t message_types_fingerprint() {
  constexpr auto count
    = caf::id_block::citytwin::end - caf::id_block::citytwin::begin;
  return hash_type_names(std::make_integer_sequence<caf::type_id_t, count>{});
}

std::string cluster_hello(const cluster_map& map, std::string_view self) {
  return std::string{hello_magic} + " node=" + std::string{self}
         + " map=" + hex(map.fingerprint())
         + " version=" + std::to_string(map.version)
         + " types=" + hex(message_types_fingerprint())
         + " software=" + software();
}

caf::expected<std::string> check_hello(std::string_view hello,
                                       const cluster_map& map,
                                       std::string_view self) {
  auto refuse = [](std::string why) {
    return caf::make_error(twin::errc::invalid_config, std::move(why));
  };
  std::map<std::string, std::string> f;
  if (!read_fields(hello, f))
    return refuse("not a citytwin cluster hello");
  auto peer = f["node"];
  if (map.node_named(peer) == nullptr)
    return refuse("node '" + peer + "' is not in this node's cluster map");
  if (peer == self)
    return refuse("node '" + peer + "' is this node: two processes claim "
                  "the same name");
  if (f["software"] != software())
    return refuse("node '" + peer + "' runs " + f["software"] + ", this node "
                  + software());
  if (f["types"] != hex(message_types_fingerprint()))
    return refuse("node '" + peer + "' has other message types (type-ID "
                  "block " + f["types"] + ", here "
                  + hex(message_types_fingerprint()) + ")");
  if (f["version"] != std::to_string(map.version)
      || f["map"] != hex(map.fingerprint()))
    return refuse("node '" + peer + "' has another cluster map (version "
                  + f["version"] + ", fingerprint " + f["map"]
                  + "; here version " + std::to_string(map.version)
                  + ", fingerprint " + hex(map.fingerprint()) + ")");
  return peer;
}

cluster_node_actor spawn_cluster_node(caf::actor_system& sys,
                                      std::shared_ptr<const cluster_map> map,
                                      std::string self) {
  return sys.spawn(cluster_node_behavior, std::move(map), std::move(self));
}

caf::expected<cluster_join> join_cluster(caf::actor_system& sys,
                                         const cluster_node_actor& node,
                                         const cluster_map& map,
                                         std::string_view self,
                                         std::chrono::milliseconds wait) {
  const auto* me = map.node_named(self);
  if (me == nullptr)
    return caf::make_error(twin::errc::invalid_config,
                           "node '" + std::string{self}
                             + "' is not in the cluster map");
  cluster_join result;
  // SO_REUSEADDR: a node that restarts binds again while its old
  // connections linger in TIME_WAIT; a port another process listens on is
  // still refused.
  auto published
    = sys.middleman().publish(node, me->port, me->host.c_str(), true);
  if (!published)
    return caf::make_error(twin::errc::io_failure,
                           "cluster: cannot listen on " + me->host + ":"
                             + std::to_string(me->port) + ": "
                             + sys.render(published.error()));
  result.port = *published;
  auto hello = cluster_hello(map, self);
  auto deadline = std::chrono::steady_clock::now() + wait;
  std::string problems;
  caf::scoped_actor asker{sys};
  for (const auto& peer : map.nodes) {
    if (peer.name == self)
      continue;
    auto where = peer.name + " at " + peer.host + ":"
                 + std::to_string(peer.port);
    caf::expected<cluster_node_actor> remote{caf::error{}};
    for (;;) {
      remote = sys.middleman().remote_actor<cluster_node_actor>(peer.host,
                                                               peer.port);
      if (remote || std::chrono::steady_clock::now() >= deadline)
        break;
      std::this_thread::sleep_for(retry_every);
    }
    if (!remote) {
      problems += "\n  " + where + " did not answer within "
                  + std::to_string(wait.count()) + " ms";
      continue;
    }
    asker->request(*remote, join_timeout, caf::join_atom_v, hello,
                   caf::actor_cast<caf::actor>(node))
      .receive(
        [&](const std::string& theirs) {
          // The peer's own hello must match this map as well.
          if (auto name = check_hello(theirs, map, self); !name)
            problems += "\n  " + where + ": " + twin::describe(name.error());
          else if (*name != peer.name)
            problems += "\n  " + where + " answers as '" + *name + "'";
          else {
            result.peers.push_back(*name);
            caf::anon_send(node, caf::put_atom_v, *name,
                           caf::actor_cast<caf::actor>(*remote));
          }
        },
        [&](const caf::error& err) {
          problems += "\n  " + where + " refuses: " + twin::describe(err);
        });
  }
  if (!problems.empty())
    return caf::make_error(twin::errc::invalid_config,
                           "node '" + std::string{self}
                             + "' cannot join its cluster:" + problems);
  return result;
}

} // namespace citytwin::actors
