// tests/scenarios/assignment/bush_solver_small.cpp
//
// Hand-made networks whose equilibria follow from a few lines of algebra.
#include "scenarios/assignment/bush_solver.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace citytwin::scenarios::assignment;

namespace {

/// Link with linear BPR cost fft * (1 + x / capacity) (b = 1, power 1).
link_record linear(node_id from, node_id to, double fft, double capacity,
            double toll = 0) {
  return link_record{from, to, capacity, 0, fft, 1, 1, toll, 1};
}

/// Two zones joined by two parallel links: a = 1 + x/100, b = 2 + x/25.
/// Demand 300 from zone 1 to zone 2.
bush_solver two_routes(cost_weights weights, double toll_on_a = 0) {
  auto net = network::build(2, 2, 2,
                            {linear(0, 1, 1, 100, toll_on_a),
                             linear(0, 1, 2, 50)});
  REQUIRE(net);
  od_matrix demand(2);
  demand.add_row(0, {{1, 300}});
  auto solver = bush_solver::create(std::move(net).value(), demand, weights);
  REQUIRE(solver);
  return std::move(solver).value();
}

solve_options tight() {
  solve_options options;
  options.target_gap = 1e-14;
  options.max_iterations = 100;
  return options;
}

} // namespace

TEST_CASE("parallel links reach the analytic equilibrium",
          "[scenarios][assignment]") {
  auto solver = two_routes({});
  solver.solve(tight());
  // 1 + xa/100 = 2 + xb/25 and xa + xb = 300 give xa = 260, xb = 40, and
  // both routes cost 3.6.
  CHECK(solver.flows()[0] == Approx(260).epsilon(1e-12));
  CHECK(solver.flows()[1] == Approx(40).epsilon(1e-12));
  CHECK(solver.costs()[0] == Approx(3.6).epsilon(1e-12));
  CHECK(solver.costs()[1] == Approx(3.6).epsilon(1e-12));
  // Beckmann, the integrals of both costs: xa + xa^2/200 + 2 xb + xb^2/50
  // = 260 + 338 + 80 + 32 = 710.
  CHECK(solver.measure().beckmann == Approx(710).epsilon(1e-12));
}

TEST_CASE("tolls enter the generalised cost", "[scenarios][assignment]") {
  // A toll of 50 at 0.02 per unit adds 1 to route a: 2 + xa/100 = 2 + xb/25
  // gives xa = 4 xb, so xa = 240 and xb = 60.
  auto solver = two_routes({0.02, 0}, 50);
  solver.solve(tight());
  CHECK(solver.flows()[0] == Approx(240).epsilon(1e-12));
  CHECK(solver.flows()[1] == Approx(60).epsilon(1e-12));
  CHECK(solver.costs()[0] == Approx(4.4).epsilon(1e-12));
}

TEST_CASE("paths never pass through other zones", "[scenarios][assignment]") {
  // Zones 1-3, node 4 passable. The short way from 1 to 3 runs through
  // zone 2 (cost 2); the legal one through node 4 costs 10.
  std::vector<link_record> links{{0, 1, 1, 0, 1, 0, 4, 0, 1},
                          {1, 2, 1, 0, 1, 0, 4, 0, 1},
                          {0, 3, 1, 0, 5, 0, 4, 0, 1},
                          {3, 2, 1, 0, 5, 0, 4, 0, 1}};
  auto net = network::build(4, 3, 3, links);
  REQUIRE(net);
  od_matrix demand(3);
  demand.add_row(0, {{2, 10}, {1, 5}});
  auto solver = bush_solver::create(std::move(net).value(), demand, {});
  REQUIRE(solver);
  auto summary = solver.value().solve(tight());
  CHECK(summary.reason == stop_reason::converged);
  auto flows = solver.value().flows();
  CHECK(flows[0] == 5);  // 1 -> 2 carries only the trips to zone 2.
  CHECK(flows[1] == 0);  // Nothing continues through zone 2.
  CHECK(flows[2] == 10); // 1 -> 4 -> 3.
  CHECK(flows[3] == 10);
  // SPTT uses the same rule: 10 * 10 + 5 * 1.
  CHECK(summary.last.measures.shortest_path_cost == 105);
}

TEST_CASE("unreachable demand and disconnecting closures are errors",
          "[scenarios][assignment]") {
  auto net = network::build(2, 2, 2, {linear(0, 1, 1, 100)});
  REQUIRE(net);
  od_matrix backwards(2);
  backwards.add_row(1, {{0, 10}});
  auto unreachable = bush_solver::create(net.value(), backwards, {});
  REQUIRE_FALSE(unreachable);
  CHECK(unreachable.errors().front().message
        == "zone 1 is unreachable from zone 2");
  od_matrix forwards(2);
  forwards.add_row(0, {{1, 10}});
  auto solver = bush_solver::create(net.value(), forwards, {});
  REQUIRE(solver);
  // Closing the only link would strand the demand: refused, no change.
  CHECK_FALSE(solver.value().close_link(0).empty());
  CHECK(solver.value().costs()[0] == 1);
}

TEST_CASE("solver stops on its budgets and reports every iteration",
          "[scenarios][assignment]") {
  auto solver = two_routes({});
  solve_options options;
  options.target_gap = -1; // Never met: the budgets decide.
  options.max_iterations = 3;
  std::vector<int> seen;
  auto summary = solver.solve(options, [&](const iteration_report& r) {
    seen.push_back(r.iteration);
  });
  CHECK(summary.reason == stop_reason::max_iterations);
  CHECK(summary.iterations == 3);
  // The first call starts cold, so there is no iteration 0 report.
  CHECK(seen == std::vector<int>{1, 2, 3});
  options.max_iterations = 100;
  options.max_seconds = 0;
  seen.clear();
  summary = solver.solve(options, [&](const iteration_report& r) {
    seen.push_back(r.iteration);
  });
  CHECK(summary.reason == stop_reason::max_time);
  // A warm call reports its starting point as iteration 0.
  CHECK(seen == std::vector<int>{0, 1});
}
