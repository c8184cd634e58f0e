// twin/iso_time.hpp
#pragma once

#include "twin/civil_time.hpp"
#include "twin/reading.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin::twin {

/// Parses an ISO 8601 / RFC 3339 date-time into Unix milliseconds:
/// `2014-08-01T07:50:00`, `2014-05-22 09:09:04.145`, `...Z`, `...+02:00`,
/// `...+0200`. A time without zone is local time at `default_offset_min`
/// minutes east of UTC (recorded datasets carry no zone). Digits beyond
/// milliseconds are truncated. nullopt for anything else.
std::optional<time_ms> parse_iso_time(std::string_view text,
                                            int default_offset_min = 0);

/// A date-time as written: its wall-clock reading counted as if it were
/// UTC, and the zone offset it carried, if any.
struct iso_local_time {
  time_ms wall = 0;
  std::optional<int> offset_min; ///< minutes east of UTC
};

/// Parses what `parse_iso_time` does, without applying a default zone:
/// for callers that resolve zone-less times by a rule (replay/time_zone).
std::optional<iso_local_time> parse_iso_local(std::string_view text);

/// Parses a zone offset `Z`, `+02:00`, `-0130` into minutes east of UTC.
std::optional<int> parse_utc_offset(std::string_view text);

} // namespace citytwin::twin
