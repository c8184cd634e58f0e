// twin/rules/duration.cpp
#include "twin/rules/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>

namespace citytwin::rules {

namespace {

struct unit {
  std::string_view name;
  uint64_t ms;
};

// Largest first: parts must appear in this order, and formatting takes
// the largest units first.
constexpr std::array<unit, 5> units = {{
    {"d", 24 * 3600 * 1000},
    {"h", 3600 * 1000},
    {"m", 60 * 1000},
    {"s", 1000},
    {"ms", 1},
}};

// The unit at the start of `text`: `ms` before `m`, so that `5ms` is not
// five minutes followed by garbage.
std::optional<size_t> unit_at(std::string_view text) {
  if (text.substr(0, 2) == "ms")
    return units.size() - 1;
  for (size_t i = 0; i + 1 < units.size(); ++i)
    if (text.substr(0, 1) == units[i].name)
      return i;
  return std::nullopt;
}

} // namespace

std::optional<twin::time_ms> parse_duration(std::string_view text) {
  constexpr auto max_ms = static_cast<uint64_t>(max_duration_ms);
  uint64_t result = 0;
  // Index of the next unit allowed; each part must use a smaller one.
  size_t next_unit = 0;
  while (!text.empty()) {
    uint64_t count = 0;
    auto [end, ec]
        = std::from_chars(text.data(), text.data() + text.size(), count);
    // from_chars takes no sign or blank, so `-5m` and `+5m` fail here.
    if (ec != std::errc{} || end == text.data() || count == 0)
      return std::nullopt;
    text.remove_prefix(static_cast<size_t>(end - text.data()));
    auto u = unit_at(text);
    if (!u || *u < next_unit)
      return std::nullopt;
    // Checked before multiplying, so the product cannot overflow:
    // max_ms (3.2e10) times a day in ms (8.6e7) stays below 2^63.
    if (count > max_ms)
      return std::nullopt;
    result += count * units[*u].ms;
    if (result > max_ms)
      return std::nullopt;
    text.remove_prefix(units[*u].name.size());
    next_unit = *u + 1;
  }
  if (result == 0)
    return std::nullopt;
  return static_cast<twin::time_ms>(result);
}

std::string format_duration(twin::time_ms ms) {
  if (ms == 0)
    return "0ms";
  std::string result;
  // Unsigned, so that the magnitude of INT64_MIN is representable.
  auto rest = static_cast<uint64_t>(ms);
  if (ms < 0) {
    result = "-";
    rest = ~rest + 1;
  }
  for (const auto& u : units) {
    if (rest < u.ms)
      continue;
    result += std::to_string(rest / u.ms);
    result += u.name;
    rest %= u.ms;
  }
  return result;
}

} // namespace citytwin::rules
