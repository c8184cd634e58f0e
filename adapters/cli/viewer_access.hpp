// adapters/cli/viewer_access.hpp
#pragma once

// The viewer stream's access decision under `citytwin serve --access`:
// tokens, tenants and sharing rules (twin/access.hpp) turned into the plain
// callback the viewer takes (viz/stream_access.hpp), so viz never depends
// on adapters.

#include "twin/access.hpp"
#include "viz/monitor_access.hpp"
#include "viz/operations_access.hpp"
#include "viz/stream_access.hpp"

#include <caf/expected.hpp>

#include <memory>
#include <string>

namespace citytwin::cli {

/// The decision for a stream of `city`, served as the tenant of that name:
/// a token (hashed, then `authenticate_token` at the wall-clock time)
/// becomes a principal, a missing one the anonymous principal; the tenant
/// defaults to the principal's own (the city's for anonymous clients) and
/// must be the city's; the principal sees the kinds whose NGSI-LD type it
/// `may_read` there, and nothing at all is a refusal.
viz::stream_access
make_viewer_access(std::shared_ptr<const twin::access_config> cfg,
                   std::string city);

/// The decision for the viewer port's monitoring routes (`/metrics`,
/// `/api/status`, `/api/stream`): a token with role `monitor` (of any
/// tenant: it reads counters, no tenant's data) or `admin` of `city`
/// sees everything; no token, or any other valid token, only open data;
/// an unknown or expired token nothing.
viz::monitor_access
make_monitor_access(std::shared_ptr<const twin::access_config> cfg,
                    std::string city);

/// The decision for the operations routes (rules, alerts, advice, audit):
/// tokens of `city`'s tenant only. Every role but app and monitor reads
/// rules, alerts and advice; operator, emergency and admin acknowledge
/// alerts (acknowledging steers nothing); only admin reads the audit log.
/// No token: nothing (alerts are the tenant's, not open data).
viz::operations_access
make_operations_access(std::shared_ptr<const twin::access_config> cfg,
                       std::string city);

} // namespace citytwin::cli
