// adapters/ngsi/api_context.hpp
#pragma once

// What every NGSI-LD route shares: the decoded request, who asks, for
// which tenant, and the response helpers (ProblemDetails, Link headers).
// Internal to adapters/ngsi.

#include "adapters/broker/broker.hpp"
#include "twin/broker/broker_error.hpp"
#include "twin/broker/subscription.hpp"
#include "adapters/ngsi/http_listener.hpp"
#include "twin/access.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace citytwin::ngsi {

using json = nlohmann::json;

/// The core context, built in: requests never fetch it.
constexpr std::string_view core_context
    = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld";

/// A request on its way through the routes.
struct api_call {
  const http_request& req;
  broker::broker& brk;
  twin::principal who;
  /// The addressed tenant's state: set only inside its TENANT actor, where
  /// the routes run (`on_tenant`).
  broker::tenant_space* space = nullptr;
  std::string tenant;                    ///< the addressed tenant's name
  std::string tenant_header;             ///< NGSILD-Tenant as sent
  std::vector<std::pair<std::string, std::string>> params;
  bool ld_json_out = false; ///< answer application/ld+json
  bool geo_json_out = false;

  /// The first query parameter of that name.
  const std::string* param(std::string_view name) const;
};

/// Runs `route` inside the addressed tenant's TENANT actor (which sets
/// `call.space`) and gives its answer to `reply` from there. `held` is the
/// request `call.req` refers to; it lives as long as the task. A member of
/// the body of the wrong type (nlohmann throws) answers 400; a tenant
/// without an actor (shutting down) 503.
void on_tenant(api_call call, std::shared_ptr<const http_request> held,
               std::function<http_response(api_call&)> route, reply_fn reply);

/// A ProblemDetails response (also counts refusals for 401/403/429).
http_response problem(api_call& call, broker::broker_errc code,
                      std::string detail);

/// The same from an error made by broker::make_problem.
http_response problem(api_call& call, const caf::error& err);

/// A response without a body.
http_response empty(api_call& call, int status);

/// A JSON response, with the core context as Link header or in the body.
http_response reply(api_call& call, int status, json body);

/// A JSON response already written as text, for plain `application/json`
/// answers only (the context goes in the Link header).
http_response reply_text(api_call& call, int status, std::string body);

/// JSON text of `body`; invalid UTF-8 in strings is replaced, not thrown.
std::string dump(const json& body);

/// Parses the body of POST/PATCH/PUT: content type, `@context` rules,
/// JSON syntax. The JSON on success, a ready response on failure.
std::variant<json, http_response> read_body(api_call& call);

/// Checks `Accept`; false when nothing acceptable is asked for.
bool negotiate(api_call& call);

/// Comma-separated parameter values.
std::vector<std::string> split_list(const std::string* value);

/// May the caller read entities of `type` in the addressed tenant?
bool can_read(const api_call& call, std::string_view type);

/// May the caller change entities of `type` in the addressed tenant?
bool can_write(const api_call& call, std::string_view type);

/// Only the owner of a subscription (or an admin of its tenant) sees,
/// changes or attaches to it; others get 404, so ids are not disclosed.
bool owns_subscription(const api_call& call, const broker::subscription& sub);

/// Refuses a read the caller may not make: 401 anonymous, 403 otherwise.
http_response refuse_read(api_call& call, std::string_view what);

/// Refuses a write: 401 anonymous, 403 otherwise.
http_response refuse_write(api_call& call, std::string_view what);

// Route groups; each returns nullopt when the path is not its own.
std::optional<http_response> entity_routes(api_call& call,
                                           std::string_view path);
std::optional<http_response> batch_routes(api_call& call,
                                          std::string_view path);
std::optional<http_response> subscription_routes(api_call& call,
                                                 std::string_view path);
std::optional<http_response> type_routes(api_call& call, std::string_view path);
/// `/temporal/entities[/{id}]`: the archive's history (temporal_routes.cpp).
std::optional<http_response> temporal_routes(api_call& call,
                                             std::string_view path);

/// A command to a live actuator (`PATCH /entities/{id}/attrs/` + a
/// command attribute, twin/command.hpp): checks it on the I/O thread, has
/// the tenant's TENANT pass it to the twin, and answers through `done`
/// once the actuator has decided. False (and `done` untouched) when `path`
/// is no command's.
bool command_route(api_call& call, std::shared_ptr<const http_request> held,
                   std::string_view path, reply_fn& done);

/// The subscription document with its status and queue counters.
json render_subscription(const broker::delivery& d);

} // namespace citytwin::ngsi
