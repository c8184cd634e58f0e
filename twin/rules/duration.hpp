// twin/rules/duration.hpp
#pragma once

// Durations as rule files write them: `250ms`, `90s`, `5m`, `1h30m`, `2d`.
// A rule's `for` and a clause's `rate_per` are durations of simulated
// time; the text form is what authors write and what explanations show.

#include "twin/reading.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace citytwin::rules {

/// Longest duration a rule file may name: a year, leap day included. A
/// rule that waits longer than that waits for something that never comes.
constexpr twin::time_ms max_duration_ms = twin::time_ms{366} * 24 * 3600 * 1000;

/// Parses `<count><unit>` parts with units `d`, `h`, `m`, `s`, `ms`, each
/// at most once and in that (descending) order, counts positive integers:
/// `250ms`, `90s`, `1h30m`, `2d`. No blanks, signs or fractions. Returns
/// milliseconds, or nullopt unless the text is such a duration of more
/// than 0 and at most `max_duration_ms`.
std::optional<twin::time_ms> parse_duration(std::string_view text);

/// Renders `ms` with the largest units first, leaving out zero parts:
/// `15m`, `1h30m`, `250ms`; `0ms` for 0 and a leading `-` below 0. Every
/// result of 1 ms .. `max_duration_ms` reads back with `parse_duration`.
std::string format_duration(twin::time_ms ms);

} // namespace citytwin::rules
