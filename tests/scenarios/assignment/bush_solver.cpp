// tests/scenarios/assignment/bush_solver.cpp
#include "scenarios/assignment/bush_solver.hpp"

#include "scenarios/assignment/tntp_reader.hpp"
#include "tests/scenarios/assignment/test_data.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace citytwin::scenarios::assignment;
using citytwin::scenarios::assignment::test::tntp_file;

namespace {

/// Acceptance target of issue 6: objective to 1e-9 relative at gap 1e-12.
constexpr double target_gap = 1e-12;
constexpr double objective_tolerance = 1e-9;

/// Link flows at equilibrium are unique (BPR costs strictly increase), but
/// the gap bounds them only loosely: at gap 1e-12 they agree with the BKS
/// to ~1e-5 veh on these networks; 1e-3 leaves margin for rounding yet
/// catches any wrong route (flows of whole OD pairs are >= 0.1).
constexpr double flow_tolerance = 1e-3;

bush_solver load(const std::string& name, cost_weights weights = {}) {
  auto net = read_network(tntp_file(name, name + "_net.tntp"));
  REQUIRE(net);
  auto trips = read_trips(tntp_file(name, name + "_trips.tntp"),
                          net.value().num_zones());
  REQUIRE(trips);
  auto solver = bush_solver::create(std::move(net).value(),
                                    std::move(trips).value(), weights);
  REQUIRE(solver);
  return std::move(solver).value();
}

double worst_flow_difference(const bush_solver& solver,
                             const std::string& name) {
  auto bks = read_flows(tntp_file(name, name + "_flow.tntp"));
  REQUIRE(bks);
  double result = 0;
  for (std::size_t i = 0; i < bks.value().size(); ++i)
    result = std::max(result,
                      std::fabs(solver.flows()[i] - bks.value()[i].volume));
  return result;
}

/// Solves a published network and checks objective, gap and flows.
void check_reference(const std::string& name, cost_weights weights,
                     double reference_objective) {
  auto solver = load(name, weights);
  solve_options options;
  options.target_gap = target_gap;
  options.max_seconds = 60;
  auto summary = solver.solve(options);
  INFO(name << ": " << summary.iterations << " iterations, "
            << summary.last.elapsed_seconds << " s, gap "
            << summary.last.measures.relative_gap);
  REQUIRE(summary.reason == stop_reason::converged);
  CHECK(summary.last.measures.relative_gap <= target_gap);
  CHECK(summary.last.measures.beckmann
        == Approx(reference_objective).epsilon(objective_tolerance));
  CHECK(worst_flow_difference(solver, name) < flow_tolerance);
  // Flow shifts must conserve flow at every bush node.
  CHECK(solver.max_conservation_error() < 1e-8);
}

} // namespace

TEST_CASE("solver reproduces the SiouxFalls equilibrium",
          "[scenarios][assignment]") {
  CITYTWIN_REQUIRE_DATA(tntp_file("SiouxFalls", "SiouxFalls_flow.tntp"));
  // README objective 42.31335287107440 is the Beckmann value / 1e5.
  check_reference("SiouxFalls", {}, 42.31335287107440 * 1e5);
}

TEST_CASE("solver reproduces the Anaheim equilibrium",
          "[scenarios][assignment]") {
  CITYTWIN_REQUIRE_DATA(tntp_file("Anaheim", "Anaheim_flow.tntp"));
  // Recomputed from the BKS flows (the README gives no objective); the
  // equilibrium_measures test checks this value against the flow file.
  check_reference("Anaheim", {}, 1286032.1710960);
}

TEST_CASE("solver reproduces the ChicagoSketch equilibrium with tolls",
          "[scenarios][assignment][.slow]") {
  CITYTWIN_REQUIRE_DATA(tntp_file("ChicagoSketch", "ChicagoSketch_flow.tntp"));
  // README: toll factor 0.02 min/cent, distance factor 0.04 min/mile,
  // objective 17,313,018.7387477.
  check_reference("ChicagoSketch", {0.02, 0.04}, 17313018.7387477);
}

TEST_CASE("warm start after a capacity cut matches a cold start",
          "[scenarios][assignment]") {
  CITYTWIN_REQUIRE_DATA(tntp_file("SiouxFalls", "SiouxFalls_net.tntp"));
  solve_options options;
  options.target_gap = target_gap;
  options.max_seconds = 60;
  auto warm = load("SiouxFalls");
  REQUIRE(warm.solve(options).reason == stop_reason::converged);
  // Halve the capacity of the busiest link: a large, local change.
  auto flows = warm.flows();
  auto busiest = static_cast<link_id>(
    std::max_element(flows.begin(), flows.end()) - flows.begin());
  auto capacity = warm.net().at(busiest).capacity / 2;
  auto before = warm.measure().beckmann;
  warm.set_capacity(busiest, capacity);
  auto warm_summary = warm.solve(options);
  auto cold = load("SiouxFalls");
  cold.set_capacity(busiest, capacity);
  auto cold_summary = cold.solve(options);
  INFO("warm " << warm_summary.iterations << " iterations, cold "
               << cold_summary.iterations);
  REQUIRE(warm_summary.reason == stop_reason::converged);
  REQUIRE(cold_summary.reason == stop_reason::converged);
  // The cut must matter, or the comparison below says nothing.
  CHECK(warm_summary.last.measures.beckmann > before * 1.001);
  CHECK(warm_summary.last.measures.beckmann
        == Approx(cold_summary.last.measures.beckmann)
             .epsilon(objective_tolerance));
  for (std::size_t i = 0; i < warm.flows().size(); ++i)
    CHECK(warm.flows()[i] == Approx(cold.flows()[i]).margin(flow_tolerance));
  CHECK(warm_summary.iterations < cold_summary.iterations);
}

TEST_CASE("warm start after a closure matches a cold start",
          "[scenarios][assignment]") {
  CITYTWIN_REQUIRE_DATA(tntp_file("SiouxFalls", "SiouxFalls_net.tntp"));
  solve_options options;
  options.target_gap = target_gap;
  options.max_seconds = 60;
  auto warm = load("SiouxFalls");
  REQUIRE(warm.solve(options).reason == stop_reason::converged);
  auto flows = warm.flows();
  auto busiest = static_cast<link_id>(
    std::max_element(flows.begin(), flows.end()) - flows.begin());
  REQUIRE(warm.close_link(busiest).empty());
  auto warm_summary = warm.solve(options);
  auto cold = load("SiouxFalls");
  REQUIRE(cold.close_link(busiest).empty());
  auto cold_summary = cold.solve(options);
  INFO("warm " << warm_summary.iterations << " iterations, cold "
               << cold_summary.iterations);
  REQUIRE(warm_summary.reason == stop_reason::converged);
  REQUIRE(cold_summary.reason == stop_reason::converged);
  // A closed link ends up empty; a single vehicle there would cost 1e15.
  CHECK(warm.flows()[static_cast<std::size_t>(busiest)] == 0);
  CHECK(warm_summary.last.measures.beckmann
        == Approx(cold_summary.last.measures.beckmann)
             .epsilon(objective_tolerance));
  // Closing SiouxFalls' busiest link raises the objective by 19 %, so a
  // warm start saves little here (12 against 13 iterations when written);
  // it must at least not be slower.
  CHECK(warm_summary.iterations <= cold_summary.iterations);
  // Reopening restores the original equilibrium.
  warm.reopen_link(busiest);
  REQUIRE(warm.solve(options).reason == stop_reason::converged);
  CHECK(warm.measure().beckmann
        == Approx(42.31335287107440 * 1e5).epsilon(objective_tolerance));
}
