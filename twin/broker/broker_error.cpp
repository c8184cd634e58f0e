// twin/broker/broker_error.cpp
#include "twin/broker/broker_error.hpp"

#include "twin/error.hpp"

#include <caf/message.hpp>

namespace citytwin::broker {

caf::error make_problem(broker_errc code, std::string detail) {
  return caf::make_error(code, std::move(detail));
}

const char* problem_name(broker_errc code) {
  switch (code) {
    case broker_errc::bad_request_data:
      return "BadRequestData";
    case broker_errc::invalid_request:
      return "InvalidRequest";
    case broker_errc::not_found:
      return "ResourceNotFound";
    case broker_errc::already_exists:
      return "AlreadyExists";
    case broker_errc::unauthorized:
      return "Unauthorized";
    case broker_errc::forbidden:
      return "Forbidden";
    case broker_errc::too_many_requests:
      return "TooManyRequests";
    case broker_errc::service_unavailable:
      return "ServiceUnavailable";
    case broker_errc::not_supported:
      return "OperationNotSupported";
    case broker_errc::too_large:
      return "PayloadTooLarge";
    case broker_errc::not_acceptable:
      return "NotAcceptable";
    case broker_errc::unsupported_media:
      return "UnsupportedMediaType";
    case broker_errc::length_required:
      return "LengthRequired";
    case broker_errc::method_not_allowed:
      return "MethodNotAllowed";
    case broker_errc::nonexistent_tenant:
      return "NonexistentTenant";
  }
  return "InternalError";
}

int http_status(broker_errc code) {
  switch (code) {
    case broker_errc::bad_request_data:
    case broker_errc::invalid_request:
      return 400;
    case broker_errc::not_found:
    case broker_errc::nonexistent_tenant:
      return 404;
    case broker_errc::already_exists:
      return 409;
    case broker_errc::unauthorized:
      return 401;
    case broker_errc::forbidden:
      return 403;
    case broker_errc::too_many_requests:
      return 429;
    case broker_errc::service_unavailable:
      return 503;
    case broker_errc::not_supported:
      return 422;
    case broker_errc::too_large:
      return 413;
    case broker_errc::not_acceptable:
      return 406;
    case broker_errc::unsupported_media:
      return 415;
    case broker_errc::length_required:
      return 411;
    case broker_errc::method_not_allowed:
      return 405;
  }
  return 500;
}

std::string detail_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.match_elements<std::string>())
    return ctx.get_as<std::string>(0);
  return twin::describe(err);
}

} // namespace citytwin::broker
