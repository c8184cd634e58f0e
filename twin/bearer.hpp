// twin/bearer.hpp
#pragma once

#include <optional>
#include <string_view>

namespace citytwin::twin {

/// The token of an `Authorization: Bearer <token>` header value. The scheme
/// is case-insensitive (RFC 7235, section 2.1: `bearer` and `BEARER` are
/// the same scheme), followed by one or more spaces; surrounding blanks are
/// ignored. nullopt for any other scheme or an empty token.
std::optional<std::string_view> bearer_token(std::string_view header);

} // namespace citytwin::twin
