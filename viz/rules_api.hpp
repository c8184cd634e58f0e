// viz/rules_api.hpp
#pragma once

#include "actors/spawn_rules.hpp"
#include "viz/http_server.hpp"
#include "viz/operations_access.hpp"
#include "viz/viewer_limits.hpp"

#include <caf/actor_system.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace citytwin::viz {

/// The operations routes of a twin with rules, on the viewer port:
///   GET  /api/rules               each rule's instances, how many hold and
///                                 are in force, firings; recent firings
///                                 with their explanations
///   GET  /api/alerts              alerts (open first) and advice in force
///   POST /api/alerts/<id>/ack     acknowledges an alert (operator,
///                                 emergency or admin token)
///   POST /api/alerts/<id>/outcome reports how acting on it went, which
///                                 closes it: {"outcome": "done" |
///                                 "partly_done" | "not_done" |
///                                 "not_needed", "note": "..."} (same tokens)
///   GET  /api/audit?after=&limit=&kind=
///                                 the audit log (admin token)
/// Calls with no rules running answer 404 on /api/rules and /api/alerts
/// but the audit log (every actuation) is always there. Like the twin API
/// no route waits on the server's thread. `next` answers every other path.
async_http_handler
make_rules_api(caf::actor_system& sys, actors::audit_actor audit,
               actors::running_rules rules, std::string city,
               operations_access access, async_http_handler next,
               std::chrono::milliseconds timeout = viewer_limits::twin_timeout);

} // namespace citytwin::viz
