// twin/json_text.hpp
#pragma once

// Appending JSON text straight to a string, for hot paths that would
// otherwise build a DOM only to dump it (a page of NGSI-LD query results).
// The output reads back as what nlohmann::json::dump writes: the same
// strings, the same doubles (integral ones with ".0"), null for NaN and
// infinities. Doubles are the shortest text that reads back exactly
// (std::to_chars); nlohmann's Grisu2 sometimes writes a digit more
// (10.206472399999999 for 10.2064724), so compare values, not text.

#include "twin/geo.hpp"

#include <string>
#include <string_view>

namespace citytwin::twin {

/// `text` as a quoted JSON string: `"` and `\` escaped, control characters
/// as \n, \t, ... or \u00XX. Other bytes (UTF-8) pass through unchanged:
/// the caller hands in valid UTF-8.
void append_json_string(std::string& out, std::string_view text);

/// `x` as a JSON number (null when not finite).
void append_json_number(std::string& out, double x);

/// `p` as a GeoJSON position, `[lon,lat]`.
void append_json_position(std::string& out, geo_point p);

} // namespace citytwin::twin
