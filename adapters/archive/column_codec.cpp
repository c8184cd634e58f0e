// adapters/archive/column_codec.cpp
#include "adapters/archive/column_codec.hpp"

#include <bit>
#include <cmath>

namespace citytwin::archive {

namespace {

// Differences and sums wrap in two's complement (as numpy's int64 does)
// instead of overflowing, which would be undefined in C++.
int64_t wrapping_sub(int64_t x, int64_t y) {
  return static_cast<int64_t>(static_cast<uint64_t>(x)
                              - static_cast<uint64_t>(y));
}

int64_t wrapping_add(int64_t x, int64_t y) {
  return static_cast<int64_t>(static_cast<uint64_t>(x)
                              + static_cast<uint64_t>(y));
}

bool within_exact_range(double x) {
  return x >= -static_cast<double>(max_exact_integer)
         && x <= static_cast<double>(max_exact_integer);
}

// The integer round(v * 10^k) if it lies within +-2^53 and reads back as
// exactly v (the same bits: -0.0 and NaN never do), else false.
bool scaled(double v, int8_t k, int64_t& out) {
  auto x = std::nearbyint(v * powers_of_ten[k]);
  if (!within_exact_range(x)) // also false for NaN and infinities
    return false;
  // Through the integer, as a reader sees it: -0.0 becomes 0.
  auto result = static_cast<int64_t>(x);
  if (std::bit_cast<uint64_t>(static_cast<double>(result) / powers_of_ten[k])
      != std::bit_cast<uint64_t>(v))
    return false;
  out = result;
  return true;
}

// True if every value of `samples` scales exactly at `k` and the deltas
// stay in range.
bool fits(std::span<const sample> samples, int8_t k) {
  int64_t previous = 0;
  for (const auto& s : samples) {
    int64_t x = 0;
    if (!scaled(s.value, k, x))
      return false;
    auto delta = x - previous; // both within +-2^53: no overflow
    if (delta > max_exact_integer || delta < -max_exact_integer)
      return false;
    previous = x;
  }
  return true;
}

} // namespace

int8_t choose_encoding(std::span<const sample> samples) {
  // Each value needs at least its own smallest scale; starting each search
  // at the largest scale needed so far keeps this one pass for the usual
  // integer and one-decimal streams.
  int8_t k = 0;
  for (const auto& s : samples) {
    int64_t ignored = 0;
    while (k <= max_decimal_encoding && !scaled(s.value, k, ignored))
      ++k;
    if (k > max_decimal_encoding)
      return xor_encoding;
  }
  // A value that scales at k may still fail at a larger k near 2^53, and
  // deltas may leave the range: confirm the block, going up if needed.
  for (; k <= max_decimal_encoding; ++k)
    if (fits(samples, k))
      return k;
  return xor_encoding;
}

void encode_times(std::span<const sample> samples, std::vector<int64_t>& out) {
  int64_t previous = 0;
  for (const auto& s : samples) {
    out.push_back(wrapping_sub(s.time, previous));
    previous = s.time;
  }
}

void encode_values(std::span<const sample> samples, int8_t encoding,
                   std::vector<int64_t>& out) {
  if (encoding == xor_encoding) {
    uint64_t previous = 0;
    for (const auto& s : samples) {
      auto bits = std::bit_cast<uint64_t>(s.value);
      out.push_back(static_cast<int64_t>(bits ^ previous));
      previous = bits;
    }
    return;
  }
  int64_t previous = 0;
  auto scale = powers_of_ten[encoding];
  for (const auto& s : samples) {
    auto x = static_cast<int64_t>(std::nearbyint(s.value * scale));
    out.push_back(x - previous);
    previous = x;
  }
}

void decode_times(std::span<int64_t> rows) {
  int64_t sum = 0;
  for (auto& row : rows) {
    sum = wrapping_add(sum, row);
    row = sum;
  }
}

void decode_values(std::span<const int64_t> rows, int8_t encoding,
                   std::span<double> out) {
  if (encoding == xor_encoding) {
    uint64_t bits = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      bits ^= static_cast<uint64_t>(rows[i]);
      out[i] = std::bit_cast<double>(bits);
    }
    return;
  }
  // A damaged file may hold deltas whose sum leaves +-2^53 (the checks on
  // opening do not read every row): wrap rather than overflow.
  int64_t sum = 0;
  auto scale = powers_of_ten[encoding];
  for (size_t i = 0; i < rows.size(); ++i) {
    sum = wrapping_add(sum, rows[i]);
    out[i] = static_cast<double>(sum) / scale;
  }
}

} // namespace citytwin::archive
