// viz/twin_api.cpp
#include "viz/twin_api.hpp"

#include "viz/api_reply.hpp"

#include "actors/type_ids.hpp"
#include "twin/error.hpp"
#include "viz/state_json.hpp"

#include <caf/event_based_actor.hpp>

#include <optional>
#include <string>
#include <utility>

namespace citytwin::viz {

namespace {

constexpr std::string_view entities_prefix = "/api/entities/";

int status_of(const caf::error& err) {
  if (err.category() != caf::atom("twin"))
    return 503;
  switch (static_cast<twin::errc>(err.code())) {
    case twin::errc::unknown_entity:
      return 404;
    case twin::errc::malformed_id:
    case twin::errc::unknown_kind:
      return 400;
    case twin::errc::io_failure: // on a cluster: the shard's node is down
      return 503;
    default:
      return 500;
  }
}

const char* title_of(int status) {
  switch (status) {
    case 404:
      return "ResourceNotFound";
    case 400:
      return "BadRequestData";
    case 503:
      return "ServiceUnavailable";
    default:
      return "InternalError";
  }
}

// A TWIN too slow to answer; nullopt for any other error.
std::optional<http_response> timed_out(const caf::error& err,
                                       std::chrono::milliseconds timeout) {
  if (err != caf::sec::request_timeout)
    return std::nullopt;
  return problem(503, "ServiceUnavailable",
                 "the twin did not answer within "
                   + std::to_string(timeout.count()) + " ms");
}

using stats_renderer = std::function<http_response(const actors::twin_stats&)>;

// Asks the TWIN for its counters from a short-lived actor, which answers
// `reply` and quits. The counters are rendered on the server's thread,
// where the caller's renderer has always run.
void ask_stats(caf::actor_system& sys, const actors::twin_actor& twin,
               std::chrono::milliseconds timeout, const http_reply& reply,
               stats_renderer render) {
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(twin, timeout, actors::stats_atom_v)
      .then(
        [=](const actors::twin_stats& stats) {
          reply.answer_with([stats, render] { return render(stats); });
          self->quit();
        },
        [=](const caf::error& err) {
          auto slow = timed_out(err, timeout);
          reply(slow ? *slow
                     : problem(503, "ServiceUnavailable",
                               twin::describe(err)));
          self->quit();
        });
  });
}

// Asks the TWIN for one entity's state, like `ask_stats`.
void ask_entity(caf::actor_system& sys, const actors::twin_actor& twin,
                std::chrono::milliseconds timeout, const http_reply& reply,
                twin::entity_id id, std::string city) {
  sys.spawn([=](caf::event_based_actor* self) {
    self->request(twin, timeout, caf::get_atom_v, id)
      .then(
        [=](const twin::entity_state& state) {
          reply(json_reply(200, to_json(state, city)));
          self->quit();
        },
        [=](const caf::error& err) {
          auto slow = timed_out(err, timeout);
          reply(slow ? *slow
                     : problem(status_of(err), title_of(status_of(err)),
                               twin::describe(err)));
          self->quit();
        });
  });
}

const char* landing_page = R"(<!doctype html>
<html><head><meta charset="utf-8"><title>citytwin</title>
<style>body{font-family:system-ui,sans-serif;background:#101418;color:#e6e6e6;
margin:2em}code{color:#8fd} a{color:#8cf}</style></head>
<body><h1>citytwin</h1><p id="city">loading...</p>
<p>API: <a href="/api/status"><code>/api/status</code></a>,
<code>/api/entities/&lt;urn&gt;</code>,
<a href="/metrics"><code>/metrics</code></a></p>
<script>
fetch('/api/status').then(r => r.json()).then(s => {
  document.getElementById('city').textContent = s.city + ': ' + s.entities
    + (s.scope ? ' open-data entities' : ' entities, ' + s.readings
       + ' readings received, ' + s.deltas + ' deltas published');
});
</script></body></html>)";

} // namespace

async_http_handler make_twin_api(caf::actor_system& sys,
                                 actors::twin_handles twin, std::string city,
                                 metrics_renderer metrics,
                                 std::chrono::milliseconds timeout,
                                 history_renderer history) {
  // Runs on the server's thread; the actor system outlives the server.
  return [system = &sys, front = twin.front, city, metrics, timeout,
          history](const http_request& req, http_reply reply) {
    if (req.method != "GET")
      return reply(problem(405, "MethodNotAllowed", "this API is read-only"));
    if (req.path == "/")
      return reply({200, "text/html; charset=utf-8", landing_page});
    if (req.path == "/metrics") {
      if (!reply.defer())
        return; // refused: too many requests wait already
      return ask_stats(*system, front, timeout, reply,
                       [metrics](const actors::twin_stats& stats) {
                         return http_response{200, "text/plain; version=0.0.4",
                                              metrics(stats)};
                       });
    }
    if (req.path == "/api/status") {
      if (!reply.defer())
        return;
      auto open_kinds = req.open_kinds;
      return ask_stats(*system, front, timeout, reply,
                       [open_kinds](const actors::twin_stats& stats) {
                         return json_reply(200, open_kinds
                                            ? to_open_json(stats, *open_kinds)
                                            : to_json(stats));
                       });
    }
    if (req.path.rfind(entities_prefix, 0) == 0) {
      auto urn = req.path.substr(entities_prefix.size());
      constexpr std::string_view history_suffix = "/history";
      bool wants_history
        = urn.size() > history_suffix.size()
          && urn.compare(urn.size() - history_suffix.size(),
                         history_suffix.size(), history_suffix)
               == 0;
      if (wants_history)
        urn.resize(urn.size() - history_suffix.size());
      auto id = twin::parse_urn(urn);
      if (!id)
        return reply(
          problem(400, "BadRequestData", twin::describe(id.error())));
      if (id->city != city)
        return reply(problem(404, "ResourceNotFound",
                             "no city '" + id->city + "' on this server"));
      if (wants_history) {
        if (!history)
          return reply(problem(404, "ResourceNotFound",
                               "this server keeps no archive (serve "
                               "--archive)"));
        if (!reply.defer())
          return;
        // The archive reads files: a detached actor of its own does it, so
        // the server's thread never waits.
        system->spawn<caf::detached>([history, urn, reply] {
          auto body = history(urn);
          reply(body ? http_response{200, "application/json", std::move(*body)}
                     : problem(404, "ResourceNotFound", "no archive"));
        });
        return;
      }
      if (!reply.defer())
        return;
      return ask_entity(*system, front, timeout, reply, id->id, city);
    }
    reply(problem(404, "ResourceNotFound", "no route " + req.path));
  };
}

} // namespace citytwin::viz
