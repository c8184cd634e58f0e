// viz/stream_access.hpp
#pragma once

#include "twin/entity_kind.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace citytwin::viz {

/// Who may watch which entity kinds of the viewer stream. viz knows no
/// tenants, tokens or sharing rules (those live in `twin/access` and are
/// loaded by adapters, which viz must not depend on), so `citytwin serve`
/// injects the decision as a plain function; without one the stream is
/// open to every client, as before tenants existed.

/// The bit of one kind in a kind mask, as in `stream_filter::kinds`.
constexpr uint32_t kind_bit(twin::entity_kind kind) {
  return uint32_t{1} << static_cast<int>(kind);
}

/// Every kind of the twin.
constexpr uint32_t all_kinds_mask() {
  uint32_t result = 0;
  for (auto kind : twin::all_entity_kinds)
    result |= kind_bit(kind);
  return result;
}

/// What an admitted client may see.
struct stream_grant {
  /// The kinds it may read (bits by `kind_bit`); never 0.
  uint32_t kinds = 0;
  /// The credential stops working at this instant (Unix ms); the stream
  /// closes then. nullopt: never.
  std::optional<int64_t> expires_ms;
  /// Who the client is, for its `hello` frame (`token demo-viewer`,
  /// `anonymous`); never a secret.
  std::string principal;
};

/// Why a client was refused; each has its own counter in `/api/stream`.
enum class refusal_reason : uint8_t {
  /// A token that matches no credential.
  unknown_token = 1,
  /// A token past its expiry, at connect time or while streaming.
  expired_token,
  /// A tenant other than the one whose city this stream serves.
  wrong_tenant,
  /// The principal may read no kind at all, or asked for a kind it may
  /// not read.
  no_access,
};

/// A refused client: closed with 1008 and `message` as the close reason.
struct stream_refusal {
  refusal_reason reason = refusal_reason::no_access;
  /// For the client, at most 123 bytes; never echoes a secret.
  std::string message;
};

/// The refusal text for a client that asked for tenant `asked` of a
/// stream serving `served`. Shows `asked` only when it looks like a tenant
/// name (a secret pasted into the wrong parameter stays hidden).
std::string wrong_tenant_message(std::string_view asked,
                                 std::string_view served);

/// Decides for a connecting client from its URL's `token` and `tenant`
/// parameters (decoded; empty when absent). An empty token means an
/// anonymous client; an empty tenant means the token's own tenant (the
/// served city's for anonymous clients). Called on the server's thread.
using stream_access = std::function<std::variant<stream_grant, stream_refusal>(
    const std::string& token, const std::string& tenant)>;

} // namespace citytwin::viz
