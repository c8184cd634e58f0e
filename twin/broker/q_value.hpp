// twin/broker/q_value.hpp
#pragma once

#include "twin/broker/q_ast.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

/// Literals of the NGSI-LD query language and how they compare with the
/// JSON values found in an entity.
namespace citytwin::broker::detail {

/// Classifies an unquoted literal: `true`/`false`, a number, a date-time,
/// a date, a time, or a URI (`scheme:rest`, kept as text). nullopt for
/// anything else, e.g. a bare word that should have been quoted.
std::optional<q_literal> classify_unquoted(std::string_view token);

/// Parses `YYYY-MM-DDThh:mm[:ss[.fraction]][Z|+hh:mm|+hhmm|+hh]` into
/// microseconds since the epoch. No zone means UTC. Digits beyond
/// microseconds are ignored.
std::optional<int64_t> parse_date_time_us(std::string_view text);

/// Parses `YYYY-MM-DD` into days since 1970-01-01.
std::optional<int64_t> parse_date_days(std::string_view text);

/// Parses `hh:mm[:ss[.fraction]][Z]` into microseconds since midnight.
std::optional<int64_t> parse_time_us(std::string_view text);

/// How a target value relates to a literal. `unequal` is for values that
/// differ but have no order (booleans); `incomparable` for type mismatches,
/// which satisfy no operator at all.
enum class q_order : uint8_t { less, equal, greater, unequal, incomparable };

/// Compares a target (a JSON value from the entity) with a literal.
q_order compare(const nlohmann::json& target, const q_literal& literal);

} // namespace citytwin::broker::detail
