// twin/broker/q_ast.hpp
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <vector>

/// The parsed form of an NGSI-LD `q` expression (see `ngsi_query.hpp`).
/// Plain values all the way down, so a query copies like any struct and
/// needs no pointers; nesting is bounded by the parser.
namespace citytwin::broker::detail {

/// The comparison of one query term. `exists` and `absent` carry no value.
enum class q_op : uint8_t {
  exists,   ///< `attr`
  absent,   ///< `!attr`
  eq,       ///< `==`
  ne,       ///< `!=`
  gt,       ///< `>`
  ge,       ///< `>=`
  lt,       ///< `<`
  le,       ///< `<=`
  match,    ///< `~=`
  no_match, ///< `!~=`
};

/// What a literal is; it decides which target values it compares with.
enum class q_kind : uint8_t {
  number,    ///< `12.5`, compares with JSON numbers
  boolean,   ///< `true`/`false`, compares with JSON booleans (== and !=)
  text,      ///< `"quoted"` or an unquoted URI, compares with JSON strings
  date_time, ///< `2026-05-01T20:00:00Z`, compares with date-time strings
  date,      ///< `2026-05-01`, compares with date strings
  time,      ///< `20:00:00Z`, compares with time strings
};

/// One literal of a query value.
struct q_literal {
  q_kind kind = q_kind::text;
  double number = 0;
  bool boolean = false;
  /// For date_time: microseconds since 1970-01-01T00:00:00Z.
  int64_t instant_us = 0;
  /// For text the unescaped string; for date and time the normalized text.
  std::string text;
};

/// A literal, or the inclusive range `low..high` when `high` is set.
struct q_item {
  q_literal low;
  std::optional<q_literal> high;
};

/// `attr(.member)*([key])*`: `members[0]` is the attribute, later members
/// sub-attributes or metadata (`observedAt`, `unitCode`, ...), keys index
/// into the JSON object value (or a LanguageProperty's language map).
struct q_path {
  std::vector<std::string> members;
  std::vector<std::string> keys;
};

/// One comparison `path op values`.
struct q_term {
  q_path path;
  q_op op = q_op::exists;
  /// Several items form a list: `==` any of them, `!=` none of them.
  std::vector<q_item> values;
  /// Compiled once at parse time, for `match` and `no_match` only.
  std::optional<std::regex> pattern;
};

/// A node of the expression tree: `all` (`;`), `any` (`|`) or one term.
struct q_node {
  enum class kind : uint8_t { all, any, term };
  kind type = kind::all;
  std::vector<q_node> children;
  q_term term;
};

} // namespace citytwin::broker::detail
