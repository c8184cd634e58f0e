// twin/random.hpp
#pragma once

#include <cstdint>

namespace citytwin::twin {

/// A small, fast, portable pseudo-random generator (xoshiro256** seeded by
/// splitmix64). The standard library's distributions differ between
/// implementations, so everything that must be reproducible per seed
/// (generated cities, synthetic feeds, scenarios) draws from this instead.
class random_stream {
public:
  explicit random_stream(uint64_t seed) {
    for (auto& word : state_)
      word = splitmix64(seed);
  }

  /// 64 uniformly distributed bits.
  uint64_t next() {
    auto result = rotl(state_[1] * 5, 7) * 9;
    auto t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Uniform in [0, 1), 53 bits of precision.
  double uniform() {
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
  }

  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * uniform();
  }

  /// Uniform integer in [0, n); n > 0. The tiny modulo bias is irrelevant
  /// for the n used here (far below 2^32).
  uint64_t below(uint64_t n) {
    return next() % n;
  }

  /// True with probability p.
  bool chance(double p) {
    return uniform() < p;
  }

private:
  static uint64_t splitmix64(uint64_t& x) {
    auto z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
  }

  uint64_t state_[4];
};

} // namespace citytwin::twin
