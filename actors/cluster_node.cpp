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

#include <algorithm>
#include <cstdio>
#include <map>
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
};

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
      auto& peers = self->state.peers;
      for (size_t i = 0; i < peers.size(); ++i) {
        auto& p = peers[i].status;
        // Silent for longer than the limit: down (until it answers again).
        if (p.up && now - p.last_seen > cluster_peer_timeout.count()) {
          p.up = false;
          p.since = now;
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
