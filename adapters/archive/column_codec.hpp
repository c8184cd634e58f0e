// adapters/archive/column_codec.hpp
#pragma once

// One stream's two sample columns as a segment file stores them
// (README.md, "The sample columns"): times delta-encoded; values as
// delta-encoded scaled integers when a power of ten makes every value of
// the block an exact integer, else as the XOR of consecutive IEEE-754
// bit patterns. Plain C++, no HDF5: the file layer stores the rows.

#include "adapters/archive/sample.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace citytwin::archive {

/// The `encoding` of a stream whose values are stored as XORed bits.
constexpr int8_t xor_encoding = -1;

/// The largest decimal scale tried: 10^9 (nano-units) and no finer.
constexpr int8_t max_decimal_encoding = 9;

/// Scaled integers and their deltas stay within +-2^53, so every one of
/// them is also exact as a double (readers that sum in floating point).
constexpr int64_t max_exact_integer = int64_t{1} << 53;

/// 10^k for every decimal encoding k; exact as doubles.
constexpr std::array<double, max_decimal_encoding + 1> powers_of_ten{
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

/// The smallest k in 0..9 for which every value of `samples` round-trips
/// exactly (bit for bit) through round(v * 10^k) / 10^k with the integers
/// and their deltas within +-2^53; `xor_encoding` when there is none.
int8_t choose_encoding(std::span<const sample> samples);

/// Appends the time rows of `samples`: the first time, then each time's
/// difference to the previous one.
void encode_times(std::span<const sample> samples, std::vector<int64_t>& out);

/// Appends the value rows of `samples` in `encoding` (`choose_encoding`).
/// @pre `encoding` is what `choose_encoding(samples)` returned, or
///      `xor_encoding`.
void encode_values(std::span<const sample> samples, int8_t encoding,
                   std::vector<int64_t>& out);

/// Turns time rows back into times (prefix sums, wrapping like numpy's
/// int64 `cumsum`), in place.
void decode_times(std::span<int64_t> rows);

/// Decodes the first `rows.size()` values of a block in `encoding` and
/// writes value i into `out[i]`.
/// @pre `out.size() >= rows.size()` and `encoding` is -1..9 (the reader
///      checks it when it opens the file).
void decode_values(std::span<const int64_t> rows, int8_t encoding,
                   std::span<double> out);

} // namespace citytwin::archive
