// tests/scenarios/assignment/bush_solver_random.cpp
//
// Property test for issue 14: on seeded random networks mixing b = 0
// connectors, power 16.8 links with b = 1e-17 and pre-scaled non-integer
// powers (random_network.hpp), Algorithm B reaches gap 1e-12 and the
// objective of the independent path-based reference (path_reference.hpp).
#include "scenarios/assignment/bush_solver.hpp"

#include "tests/scenarios/assignment/random_network.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using namespace citytwin::scenarios::assignment;
using namespace citytwin::scenarios::assignment::test;

namespace {

/// Solves random case `seed` and checks it; see the test cases below.
void check_random_case(std::uint64_t seed) {
  auto c = random_tiny_case(seed);
  auto solver = make_solver(c);
  solve_options options;
  options.target_gap = target_gap;
  options.max_iterations = max_iterations;
  auto summary = solver.solve(options);
  std::vector<double> flows(solver.flows().begin(), solver.flows().end());
  auto independent = measure_reference(c, flows);
  auto reference = measure_reference(c, path_equilibrium(c));
  INFO("seed " << seed << ": " << summary.iterations << " iterations, gap "
               << summary.last.measures.relative_gap << ", recomputed gap "
               << independent.relative_gap() << ", reference gap "
               << reference.relative_gap());
  CHECK(summary.reason == stop_reason::converged);
  CHECK(summary.last.measures.relative_gap <= target_gap);
  if (independent.shortest_path_cost > 0)
    CHECK(independent.relative_gap() <= target_gap);
  CHECK(solver.max_conservation_error() < 1e-8);
  // The reference must itself be at equilibrium to be compared with; on a
  // few seeds its path-by-path sweeps zig-zag (not among those below).
  if (reference.shortest_path_cost > 0 && reference.relative_gap() <= target_gap)
    CHECK(summary.last.measures.beckmann
          == Approx(reference.beckmann).epsilon(objective_tolerance));
}

} // namespace

TEST_CASE("random networks with flat and steep links reach equilibrium",
          "[scenarios][assignment]") {
  // Seeds 20, 141, 148 and 243 stalled before the fix (gaps 1e-6 to 2e-3
  // after 200 iterations); 34, 37, 71 and 236 stalled intermediate
  // versions of it. Seeds 1-60 add their kind at random.
  auto seed = GENERATE(range<std::uint64_t>(1, 61),
                       values<std::uint64_t>({71, 141, 148, 236, 243}));
  check_random_case(seed);
}

// FIXME: seed 255 still stalls at gap 3e-5 (before and after the fix, and
// so does the path-based reference). Two origins share two steep links
// (derivatives 238 and 163) but reach them over different flat links, so
// each origin's Newton step undoes the other's: the joint move shifts flow
// only between flat links, which origin-by-origin shifts cannot find.
// Needs PAS shifts across origins (TAPAS-style). Hidden and [!mayfail]:
// it documents the limit without failing runs by tag.
TEST_CASE("random network where origins zig-zag against each other",
          "[.][!mayfail][scenarios][assignment]") {
  check_random_case(255);
}
