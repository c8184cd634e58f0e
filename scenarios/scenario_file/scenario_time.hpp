// scenarios/scenario_file/scenario_time.hpp
#pragma once

#include "twin/civil_time.hpp"

#include <optional>
#include <string_view>

namespace citytwin::scenarios {

/// The time grammar of scenario files (data/scenarios/README.md, "Times").
///
///     duration   = part { part }            e.g. 90s, 20min, 3h, 1h30min
///     part       = number unit              number: digits [. digits]
///     unit       = "s" | "min" | "h"
///     time point = clock | "+" duration     e.g. 23:00, 23:00:30, +20min
///     clock      = HH ":" MM [ ":" SS ]     local time, 00:00 .. 23:59:59
///     start      = YYYY-MM-DD ("T" | " ") HH ":" MM [ ":" SS ]
///
/// A clock time is on the start day, or on the next day when it lies
/// before the start time of day: with a start at 18:00, `01:00` is seven
/// hours in. `+` counts from the start. Times further away than a day are
/// written as offsets (`+30h`).

/// A scenario's start: its local date and the seconds after midnight.
struct start_time {
  twin::civil_date date;
  double s_of_day = 0;
};

/// Seconds of a duration; nullopt unless it matches the grammar above.
std::optional<double> parse_duration(std::string_view text);

/// Seconds after midnight of a clock time `HH:MM[:SS]`; nullopt otherwise.
std::optional<double> parse_clock(std::string_view text);

/// A start `YYYY-MM-DDTHH:MM[:SS]` (or a blank for the `T`), with a real
/// calendar date; nullopt otherwise.
std::optional<start_time> parse_start(std::string_view text);

/// Seconds after the start of a time point (clock or `+duration`), given
/// the start's seconds after midnight; nullopt if it is neither.
std::optional<double> parse_time_point(std::string_view text,
                                       double start_s_of_day);

} // namespace citytwin::scenarios
