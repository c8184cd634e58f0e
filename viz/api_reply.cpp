// viz/api_reply.cpp
#include "viz/api_reply.hpp"

#include "twin/error.hpp"

#include <caf/atom.hpp>
#include <caf/sec.hpp>

namespace citytwin::viz {

http_response json_reply(int status, const nlohmann::json& body) {
  return {status, "application/json", body.dump()};
}

http_response problem(int status, const std::string& title,
                      const std::string& detail,
                      const nlohmann::json& extra) {
  nlohmann::json body{{"title", title}, {"detail", detail}};
  if (extra.is_object())
    body.update(extra);
  return json_reply(status, body);
}

http_response failed_request(const caf::error& err, const std::string& who) {
  if (err == caf::sec::request_timeout)
    return problem(503, "ServiceUnavailable", who + " did not answer");
  if (err.category() == caf::atom("twin")) {
    switch (static_cast<twin::errc>(err.code())) {
      case twin::errc::unknown_entity:
        return problem(404, "ResourceNotFound", twin::describe(err));
      case twin::errc::out_of_range:
        return problem(409, "Conflict", twin::describe(err));
      default:
        break;
    }
  }
  return problem(503, "ServiceUnavailable", twin::describe(err));
}

} // namespace citytwin::viz
