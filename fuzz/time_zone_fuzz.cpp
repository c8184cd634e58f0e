// fuzz/time_zone_fuzz.cpp: time zones of recordings (adapters/replay/
// time_zone.cpp): fixed offsets and POSIX TZ rules, then converting
// instants around the year, at the ends of the time range, and local
// times of the second input part through the parsed zone.
//
// Input: `<zone>\n%%\n<ISO 8601 local time>` (the time optional).
#include "adapters/replay/time_zone.hpp"
#include "fuzz_input.hpp"

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parts = fuzz::split(fuzz::as_text(data, size), fuzz::part_separator, 2);
  auto zone = replay::time_zone::parse(parts[0]);
  if (!zone)
    return 0;
  // Instants a replay meets: 1970, 2000 to 2100 by quarter, and extremes
  // a malformed recording could produce.
  constexpr twin::time_ms quarter = 91LL * 24 * 3600 * 1000;
  for (twin::time_ms t = 946'684'800'000; t < 4'102'444'800'000; t += quarter) {
    (void) zone->offset_at(t);
    (void) zone->to_utc(t);
  }
  for (twin::time_ms t : {twin::time_ms{0}, twin::time_ms{-1},
                          twin::time_ms{253'402'300'799'000},
                          twin::time_ms{-62'135'596'800'000}}) {
    (void) zone->offset_at(t);
    (void) zone->to_utc(t);
  }
  if (parts.size() == 2)
    (void) replay::parse_local_time(parts[1], *zone);
  return 0;
}
