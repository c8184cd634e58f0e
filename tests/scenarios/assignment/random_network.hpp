// tests/scenarios/assignment/random_network.hpp
//
// Seeded generator of small, strongly connected networks with the link types
// that stalled Algorithm B on a real network (issue 14): zone connectors
// without a flow term (b = 0, power = 0), non-integer BPR powers between 4.4
// and 16.8, and b pre-scaled by capacity^power with every capacity 1.
#pragma once

#include "scenarios/assignment/bush_solver.hpp"
#include "tests/scenarios/assignment/path_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>

namespace citytwin::scenarios::assignment::test {

namespace detail {

/// Uniform doubles from mt19937_64, whose output sequence the standard fixes
/// (std::uniform_real_distribution is implementation-defined), so a seed
/// names the same network everywhere.
class seeded_uniform {
public:
  explicit seeded_uniform(std::uint64_t seed) : engine_(seed) {
  }

  /// A double in [lo, hi).
  double between(double lo, double hi) {
    constexpr double two_to_minus_53 = 1.0 / 9007199254740992.0;
    double u = static_cast<double>(engine_() >> 11) * two_to_minus_53;
    return lo + (hi - lo) * u;
  }

  /// An integer in lo..hi.
  std::int32_t integer(std::int32_t lo, std::int32_t hi) {
    auto span = static_cast<std::uint64_t>(hi - lo + 1);
    return lo + static_cast<std::int32_t>(engine_() % span);
  }

  bool chance(double p) {
    return between(0, 1) < p;
  }

private:
  std::mt19937_64 engine_;
};

} // namespace detail

/// A bush solver over a tiny case (network and demand as the solver
/// wants them).
inline bush_solver make_solver(const tiny_case& c) {
  auto net = network::build(c.num_nodes, c.num_zones, c.first_thru_node,
                            c.links);
  REQUIRE(net);
  od_matrix demand(c.num_zones);
  for (node_id o = 0; o < c.num_zones; ++o) {
    std::vector<od_entry> row;
    for (const auto& d : c.demand)
      if (d.origin == o)
        row.push_back({d.destination, d.flow});
    demand.add_row(o, std::move(row));
  }
  auto solver = bush_solver::create(std::move(net).value(), demand, {});
  REQUIRE(solver);
  return std::move(solver).value();
}

/// Connector without a flow term: constant cost `fft`, zero derivative.
inline link_record flat_link(node_id from, node_id to, double fft) {
  return link_record{from, to, 1, 0, fft, 0, 0, 0, 0};
}

/// Link whose b is pre-scaled: `b = 0.15 / scale^power` on capacity 1, as
/// if its capacity were `scale`; b x^power reaches 1 (time doubles) at
/// x = scale / 0.15^(1/power), flows in the tens to thousands.
inline link_record scaled_link(node_id from, node_id to, double fft,
                               double power, double scale) {
  return link_record{from,  to,   1, 0, fft, 0.15 / std::pow(scale, power),
                     power, 0.0, 1};
}

/// A random tiny case: 2-3 zones (centroids, never passed through), 3-5
/// through nodes on a directed ring plus random chords and parallel links,
/// connectors with b = 0 and power = 0 (some with zero cost), and through
/// links mixing power 16.8 with b = 1e-17, pre-scaled non-integer powers in
/// 4.4..16.8, flat links and ordinary BPR links.
inline tiny_case random_tiny_case(std::uint64_t seed) {
  detail::seeded_uniform rng(seed);
  tiny_case c;
  c.num_zones = rng.integer(2, 3);
  auto num_thru = rng.integer(3, 5);
  c.num_nodes = c.num_zones + num_thru;
  c.first_thru_node = c.num_zones;
  auto thru = [&] { return c.num_zones + rng.integer(0, num_thru - 1); };
  auto connector_cost = [&] { return rng.chance(0.3) ? 0.0 : rng.between(0.1, 2); };
  for (node_id z = 0; z < c.num_zones; ++z) {
    for (int k = rng.integer(1, 2); k-- > 0;)
      c.links.push_back(flat_link(z, thru(), connector_cost()));
    for (int k = rng.integer(1, 2); k-- > 0;)
      c.links.push_back(flat_link(thru(), z, connector_cost()));
  }
  // Through links: the real network's steepest kind (power 16.8 and
  // b = 1e-17 on capacity 1), pre-scaled non-integer powers, flat links
  // and ordinary BPR links. `first_kind` 1 leaves out the steepest kind.
  auto through_link = [&](node_id from, node_id to, int first_kind) {
    double fft = rng.between(1, 3);
    switch (rng.integer(first_kind, 3)) {
      case 0:
        return link_record{from, to, 1, 0, fft, 1e-17, 16.8, 0, 1};
      case 1:
        return scaled_link(from, to, fft, rng.between(4.4, 16.8),
                           rng.between(20, 2000));
      case 2:
        return flat_link(from, to, rng.between(1, 5));
      default:
        return link_record{from, to, rng.between(50, 500), 0, fft, 0.15, 4,
                           0, 1};
    }
  };
  // A directed ring makes the through nodes strongly connected. It has no
  // link of the steepest kind, so no OD pair is forced through one: with
  // thousands of trips that would cost 1e37, where no cost difference
  // survives rounding (nor did the real network push flows that far).
  for (node_id k = 0; k < num_thru; ++k)
    c.links.push_back(through_link(c.num_zones + k,
                                   c.num_zones + (k + 1) % num_thru, 1));
  for (int k = rng.integer(num_thru, 2 * num_thru); k-- > 0;) {
    auto from = thru();
    auto to = thru();
    if (from != to)
      c.links.push_back(through_link(from, to, 0));
  }
  for (node_id o = 0; o < c.num_zones; ++o)
    for (node_id d = 0; d < c.num_zones; ++d)
      if (o != d && rng.chance(0.8))
        c.demand.push_back({o, d, rng.between(50, 2000)});
  if (c.demand.empty())
    c.demand.push_back({0, 1, rng.between(50, 2000)});
  return c;
}

} // namespace citytwin::scenarios::assignment::test
