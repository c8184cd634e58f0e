// twin/broker/pattern.hpp
#pragma once

#include <regex>
#include <string_view>

namespace citytwin::broker {

/// Longest pattern accepted (`idPattern`, `q`'s `~=`); anything longer is
/// refused like a malformed one.
constexpr size_t max_pattern_length = 1024;

/// Most groups nested inside each other; std::regex's compiler recurses
/// once per level.
constexpr size_t max_pattern_nesting = 32;

/// Digits of a repetition count (`a{999}`): larger counts overflow
/// libstdc++'s parser or build as many automaton states.
constexpr size_t max_repeat_digits = 3;

/// Compiles a client's regular expression so that neither compiling nor
/// matching can exhaust the stack or run for ever: bounded size and
/// nesting, and libstdc++'s Thompson-NFA matcher (bounded stack, time
/// linear in the input) instead of the backtracking one; back-references
/// are refused. A leading `(?i)` (common in other brokers' examples,
/// unknown to ECMAScript) turns on case-insensitive matching. Throws
/// std::regex_error on bad or too complex patterns.
std::regex compile_pattern(std::string_view pattern);

} // namespace citytwin::broker
