// twin/fnv1a.hpp
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace citytwin::twin {

/// FNV-1a, 64 bit: a fingerprint that is the same on every build and
/// machine (std::hash is not), for things two processes compare.
class fnv1a {
public:
  void bytes(const void* data, size_t size) {
    auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) {
      state_ ^= p[i];
      state_ *= 0x100000001b3ULL;
    }
  }

  /// Little-endian, whatever the machine.
  void number(uint64_t x) {
    unsigned char le[8];
    for (int i = 0; i < 8; ++i)
      le[i] = static_cast<unsigned char>(x >> (8 * i));
    bytes(le, sizeof le);
  }

  /// Length first, so that ("ab", "c") and ("a", "bc") differ.
  void text(std::string_view s) {
    number(s.size());
    bytes(s.data(), s.size());
  }

  uint64_t value() const {
    return state_;
  }

private:
  uint64_t state_ = 0xcbf29ce484222325ULL;
};

} // namespace citytwin::twin
