// viz/twin_api.cpp
#include "viz/twin_api.hpp"

#include "actors/type_ids.hpp"
#include "twin/error.hpp"
#include "viz/state_json.hpp"

#include <caf/scoped_actor.hpp>

#include <chrono>
#include <memory>

namespace citytwin::viz {

namespace {

constexpr auto query_timeout = std::chrono::seconds(5);
constexpr std::string_view entities_prefix = "/api/entities/";

http_response json(int status, const nlohmann::json& body) {
  return {status, "application/json", body.dump()};
}

http_response problem(int status, const std::string& title,
                      const std::string& detail) {
  return json(status, {{"title", title}, {"detail", detail}});
}

int status_of(const caf::error& err) {
  if (err.category() != caf::atom("twin"))
    return 503;
  switch (static_cast<twin::errc>(err.code())) {
    case twin::errc::unknown_entity:
      return 404;
    case twin::errc::malformed_id:
    case twin::errc::unknown_kind:
      return 400;
    default:
      return 500;
  }
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

http_handler make_twin_api(caf::actor_system& sys, actors::twin_handles twin,
                           std::string city, metrics_renderer metrics) {
  // The HTTP server calls us from its single thread, so one blocking actor
  // suffices; it is not an event-based actor, so blocking is allowed here.
  auto self = std::make_shared<caf::scoped_actor>(sys, true);
  return [self, twin, city,
          metrics](const http_request& req) -> http_response {
    if (req.method != "GET")
      return problem(405, "MethodNotAllowed", "this API is read-only");
    if (req.path == "/")
      return {200, "text/html; charset=utf-8", landing_page};
    // Both routes render the twin's counters, in different formats.
    auto with_stats = [&](auto render) {
      http_response result;
      (*self)
        ->request(twin.front, query_timeout, actors::stats_atom_v)
        .receive(
          [&](const actors::twin_stats& stats) { result = render(stats); },
          [&](const caf::error& err) {
            result = problem(503, "ServiceUnavailable", twin::describe(err));
          });
      return result;
    };
    if (req.path == "/metrics")
      return with_stats([&](const actors::twin_stats& stats) {
        return http_response{200, "text/plain; version=0.0.4",
                             metrics(stats)};
      });
    if (req.path == "/api/status")
      return with_stats([&req](const actors::twin_stats& stats) {
        return json(200, req.open_kinds ? to_open_json(stats, *req.open_kinds)
                                        : to_json(stats));
      });
    if (req.path.rfind(entities_prefix, 0) == 0) {
      auto urn = req.path.substr(entities_prefix.size());
      auto id = twin::parse_urn(urn);
      if (!id)
        return problem(400, "BadRequestData", twin::describe(id.error()));
      if (id->city != city)
        return problem(404, "ResourceNotFound",
                       "no city '" + id->city + "' on this server");
      http_response result;
      (*self)
        ->request(twin.front, query_timeout, caf::get_atom_v, id->id)
        .receive(
          [&](const twin::entity_state& state) {
            result = json(200, to_json(state, city));
          },
          [&](const caf::error& err) {
            result = problem(status_of(err), "ResourceNotFound",
                             twin::describe(err));
          });
      return result;
    }
    return problem(404, "ResourceNotFound", "no route " + req.path);
  };
}

} // namespace citytwin::viz
