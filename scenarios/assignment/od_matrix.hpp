// scenarios/assignment/od_matrix.hpp
#pragma once

#include "scenarios/assignment/network.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace citytwin::scenarios::assignment {

/// One origin-destination demand entry (destination is a 0-based zone).
struct od_entry {
  node_id destination = 0;
  double flow = 0;
};

/// Sparse origin-destination demand, grouped by origin (CSR rows).
///
/// Intrazonal demand is kept aside: it is part of a trips file's total but
/// never assigned (the published equilibria exclude it).
class od_matrix {
public:
  od_matrix() = default;

  /// Creates an empty matrix for `num_zones` zones.
  explicit od_matrix(std::int32_t num_zones);

  std::int32_t num_zones() const noexcept {
    return num_zones_;
  }

  /// Entries of origin `origin` with positive flow, destinations ascending.
  std::span<const od_entry> row(node_id origin) const noexcept {
    auto o = static_cast<std::size_t>(origin);
    return {entries_.data() + first_[o], entries_.data() + first_[o + 1]};
  }

  /// Total assignable demand (excluding intrazonal trips).
  double total_flow() const noexcept {
    return total_flow_;
  }

  /// Intrazonal demand, which is never assigned.
  double intrazonal_flow() const noexcept {
    return intrazonal_flow_;
  }

  /// Appends the entries of the next origin; origins must be added in
  /// ascending order 0, 1, ... (missing ones are empty). Entries with the same
  /// destination are summed; zero and intrazonal flows are not stored.
  void add_row(node_id origin, std::vector<od_entry> entries);

private:
  std::int32_t num_zones_ = 0;
  std::vector<std::int32_t> first_;
  std::vector<od_entry> entries_;
  double total_flow_ = 0;
  double intrazonal_flow_ = 0;
};

} // namespace citytwin::scenarios::assignment
