// viz/api_reply.hpp
#pragma once

// How the viewer port's JSON routes answer (twin_api, rules_api,
// scenarios_api, operations_access): a JSON body, or an NGSI-LD-style
// problem {"title", "detail"}; and how a route asks actors without holding
// the server's thread.

#include "viz/http_server.hpp"

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace citytwin::viz {

/// `body` as the answer, with `status`.
http_response json_reply(int status, const nlohmann::json& body);

/// A problem answer; `extra` (an object) adds members to it.
http_response problem(int status, const std::string& title,
                      const std::string& detail,
                      const nlohmann::json& extra = {});

/// The answer to an actor's error: 503 for a timeout (`who` did not
/// answer), 404 for errc::unknown_entity, 409 for errc::out_of_range, 503
/// for errc::in_use and anything else.
http_response failed_request(const caf::error& err,
                             const std::string& who = "the twin");

/// Runs `f(self)` in a short-lived actor, which answers and quits.
template <class F>
void in_actor(caf::actor_system& sys, F f) {
  sys.spawn([f](caf::event_based_actor* self) mutable { f(self); });
}

} // namespace citytwin::viz
