// viz/operations_access.cpp
#include "viz/operations_access.hpp"

#include "viz/api_reply.hpp"
#include "viz/stream_filter.hpp"

namespace citytwin::viz {

operations_decision decide(const operations_access& access,
                           const http_request& req) {
  if (access)
    return access(request_token(req));
  operations_decision everybody;
  everybody.may_read = everybody.may_ack = everybody.may_audit = true;
  everybody.may_plan = everybody.may_issue = true;
  everybody.who = "anonymous";
  return everybody;
}

http_response refusal(const operations_decision& who, const std::string& path,
                      std::string_view needs) {
  auto status = who.authenticated ? 403 : 401;
  return problem(status, status == 401 ? "Unauthorized" : "Forbidden",
                 path + " needs a token with role " + std::string{needs}
                   + ": Authorization: Bearer <token>");
}

http_response token_refused() {
  return problem(401, "Unauthorized", "token refused");
}

} // namespace citytwin::viz
