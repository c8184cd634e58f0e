// viz/monitor_access.hpp
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace citytwin::viz {

/// What a caller of the viewer port's monitoring routes (`/metrics`,
/// `/api/status`, `/api/stream`) may see. Like `stream_access`, the
/// decision is injected by `citytwin serve --access` as a plain function
/// (viz knows no tokens or roles).
enum class monitor_view : uint8_t {
  /// Anonymous, or a token without a monitoring role: `/api/status` shows
  /// the counts of open-data kinds only; `/metrics` and `/api/stream`
  /// answer 401 (anonymous) or 403 (a token).
  open_data = 1,
  /// A monitor token, or an admin of the served tenant: everything.
  full,
  /// A token that matches nothing or has expired: 401 on every route.
  unknown_token,
};

/// Decides from the caller's token (empty: anonymous), given as
/// `Authorization: Bearer <token>` (any case of the scheme, RFC 7235) or
/// `?token=`, which the stream's page already uses. The second result is
/// true for an authenticated token. Called on the server's thread.
struct monitor_decision {
  monitor_view view = monitor_view::open_data;
  bool authenticated = false;
};
using monitor_access = std::function<monitor_decision(const std::string&)>;

} // namespace citytwin::viz
