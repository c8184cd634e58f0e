// twin/broker/broker_error.hpp
#pragma once

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <cstdint>
#include <string>

namespace citytwin::broker {

/// Expected failures of the data broker, one per NGSI-LD problem type
/// (plus the HTTP-level ones). The HTTP layer maps them to status codes.
enum class broker_errc : uint8_t {
  bad_request_data = 1, ///< 400 BadRequestData
  invalid_request,      ///< 400 InvalidRequest (not JSON, empty)
  not_found,            ///< 404 ResourceNotFound
  already_exists,       ///< 409 AlreadyExists
  unauthorized,         ///< 401: no, unknown or expired credentials
  forbidden,            ///< 403: the credentials do not allow it
  too_many_requests,    ///< 429: rate limit or quota
  not_supported,        ///< 422 OperationNotSupported
  too_large,            ///< 413
  not_acceptable,       ///< 406
  unsupported_media,    ///< 415
  length_required,      ///< 411
  method_not_allowed,   ///< 405
  nonexistent_tenant,   ///< 404 NonexistentTenant
  service_unavailable,  ///< 503: the server is at a capacity limit
};

/// The error with a human-readable detail (never a secret).
caf::error make_problem(broker_errc code, std::string detail);

/// The NGSI-LD name of a problem type, e.g. `ResourceNotFound`.
const char* problem_name(broker_errc code);

/// The HTTP status of a problem.
int http_status(broker_errc code);

/// The detail text of an error made by `make_problem` (or any error).
std::string detail_of(const caf::error& err);

} // namespace citytwin::broker

CAF_ERROR_CODE_ENUM(citytwin::broker::broker_errc, "broker")
