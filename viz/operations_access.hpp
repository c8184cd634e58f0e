// viz/operations_access.hpp
#pragma once

#include "viz/http_server.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace citytwin::viz {

/// What a caller of the operations routes (rules, alerts, advice, audit)
/// may do. Like `monitor_access`, the decision is injected by `citytwin
/// serve --access` as a plain function: viz knows no tokens or roles.
struct operations_decision {
  bool unknown_token = false; ///< a token that matches nothing or expired
  bool authenticated = false;
  bool may_read = false;  ///< rules, alerts, advice: any role of the tenant
  bool may_ack = false;   ///< acknowledge alerts: operator, emergency, admin
  bool may_audit = false; ///< the audit log: admin
  std::string who;        ///< "operator:demo-operator", for the audit log
  /// Run what-if scenarios on a fork: operator, planner, admin.
  bool may_plan = false;
  /// Issue a run's recommended actions to their audiences: operator, admin.
  bool may_issue = false;
};

/// Decides from the caller's token (empty: anonymous). Empty function:
/// a server without access rules, where everybody may do everything.
using operations_access
  = std::function<operations_decision(const std::string& token)>;

/// The decision for a request to an operations route: `access` on its
/// token, or everything for "anonymous" on a server without access rules.
operations_decision decide(const operations_access& access,
                           const http_request& req);

/// The answer to a caller who may not use `path`: 401 without a token,
/// 403 with one, naming the roles that may (`needs`).
http_response refusal(const operations_decision& who, const std::string& path,
                      std::string_view needs);

/// The answer to a token that matches nothing or expired (401).
http_response token_refused();

} // namespace citytwin::viz
