// adapters/ingest/utf8.cpp
#include "adapters/ingest/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace citytwin::ingest {

bool valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    // Feeds are mostly ASCII: skip eight such bytes at a time.
    constexpr uint64_t high_bits = 0x8080808080808080ULL;
    while (end - p >= 8) {
      uint64_t word = 0;
      std::memcpy(&word, p, sizeof(word));
      if ((word & high_bits) != 0)
        break;
      p += 8;
    }
    if (p == end)
      break;
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t len = 0;
    uint32_t code = 0;
    uint32_t min = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      code = c & 0x1F;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      code = c & 0x0F;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      code = c & 0x07;
      min = 0x10000;
    } else {
      return false; // a continuation byte or 0xF8..0xFF as lead byte
    }
    if (static_cast<size_t>(end - p) < len)
      return false;
    for (size_t i = 1; i < len; ++i) {
      if ((p[i] & 0xC0) != 0x80)
        return false;
      code = (code << 6) | (p[i] & 0x3F);
    }
    bool surrogate = code >= 0xD800 && code <= 0xDFFF;
    if (code < min || code > 0x10FFFF || surrogate)
      return false;
    p += len;
  }
  return true;
}

} // namespace citytwin::ingest
