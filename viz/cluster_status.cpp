// viz/cluster_status.cpp
#include "viz/cluster_status.hpp"

#include "actors/type_ids.hpp"
#include "twin/civil_time.hpp"
#include "viz/api_reply.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

namespace citytwin::viz {

namespace {

std::string iso(twin::time_ms t) {
  return t ? twin::format_iso_time(t) : std::string{};
}

void add_to_status(const actors::cluster_status& st, http_response& res) {
  auto doc = nlohmann::json::parse(res.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return;
  nlohmann::json peers = nlohmann::json::array();
  for (const auto& p : st.peers)
    peers.push_back({{"node", p.name},
                     {"up", p.up},
                     {"since", iso(p.since)},
                     {"lastSeen", iso(p.last_seen)}});
  doc["cluster"] = {{"node", st.self},
                    {"mapVersion", st.map_version},
                    {"degraded", st.degraded_since != 0},
                    {"degradedSince", iso(st.degraded_since)},
                    {"peers", peers},
                    {"hostedShards", st.hosted},
                    {"shardsAdopted", st.shards_adopted},
                    {"lastAdoptionMs", st.last_adoption_ms}};
  res.body = doc.dump();
}

void add_to_metrics(const actors::cluster_status& st, http_response& res) {
  size_t up = 0;
  std::string per_peer;
  for (const auto& p : st.peers) {
    up += p.up ? 1 : 0;
    per_peer += "citytwin_cluster_peer_up{node=\"" + p.name + "\"} "
                + (p.up ? "1" : "0") + "\n";
  }
  res.body += "# HELP citytwin_cluster_peers Other nodes of this node's "
              "cluster.\n# TYPE citytwin_cluster_peers gauge\n"
              "citytwin_cluster_peers "
              + std::to_string(st.peers.size())
              + "\n# HELP citytwin_cluster_peers_up Other nodes answering "
                "heartbeats.\n# TYPE citytwin_cluster_peers_up gauge\n"
                "citytwin_cluster_peers_up "
              + std::to_string(up)
              + "\n# HELP citytwin_cluster_peer_up 1 while the node answers "
                "heartbeats.\n# TYPE citytwin_cluster_peer_up gauge\n"
              + per_peer
              + "# HELP citytwin_cluster_degraded 1 while some node is "
                "down.\n# TYPE citytwin_cluster_degraded gauge\n"
                "citytwin_cluster_degraded "
              + (st.degraded_since != 0 ? "1" : "0")
              + "\n# HELP citytwin_cluster_hosted_shards Shards this node "
                "runs now, its own and those of nodes that were down.\n"
                "# TYPE citytwin_cluster_hosted_shards gauge\n"
                "citytwin_cluster_hosted_shards "
              + std::to_string(st.hosted.size())
              + "\n# HELP citytwin_cluster_shards_adopted_total Shards "
                "brought up here for a node that was down (or taken back)."
                "\n# TYPE citytwin_cluster_shards_adopted_total counter\n"
                "citytwin_cluster_shards_adopted_total "
              + std::to_string(st.shards_adopted)
              + "\n# HELP citytwin_cluster_last_adoption_seconds How long "
                "the last adoption took until every entity answered.\n"
                "# TYPE citytwin_cluster_last_adoption_seconds gauge\n"
                "citytwin_cluster_last_adoption_seconds "
              + std::to_string(st.last_adoption_ms / 1000.0) + "\n";
}

} // namespace

async_http_handler with_cluster_status(caf::actor_system& sys,
                                       actors::cluster_node_actor node,
                                       async_http_handler next,
                                       std::chrono::milliseconds timeout) {
  return [system = &sys, node, next = std::move(next),
          timeout](const http_request& req, http_reply reply) {
    auto status = req.path == "/api/status";
    if (!node || (!status && req.path != "/metrics"))
      return next(req, reply);
    if (!reply.defer())
      return;
    // The inner answer, once it is there, waits for the cluster's view.
    http_reply inner{
      [system, node, reply, status, timeout](http_answer make) {
        in_actor(*system, [=](caf::event_based_actor* self) {
          self->request(node, timeout, caf::get_atom_v)
            .then(
              [=](const actors::cluster_status& st) {
                reply.answer_with([make, st, status] {
                  auto res = make();
                  if (res.status == 200)
                    (status ? add_to_status : add_to_metrics)(st, res);
                  return res;
                });
                self->quit();
              },
              [=](const caf::error&) {
                reply.answer_with(make);
                self->quit();
              });
        });
      },
      [reply] { return reply.defer(); }};
    next(req, inner);
  };
}

} // namespace citytwin::viz
