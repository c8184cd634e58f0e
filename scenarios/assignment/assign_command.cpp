// scenarios/assignment/assign_command.cpp
#include "scenarios/assignment/assign_command.hpp"

#include "scenarios/assignment/bush_solver.hpp"
#include "scenarios/assignment/tntp_reader.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <ostream>
#include <string>

namespace citytwin::scenarios::assignment {

namespace {

int exit_code(assign_exit code) {
  return static_cast<int>(code);
}

void print_errors(const std::vector<parse_error>& errors, std::ostream& out) {
  for (const auto& error : errors)
    out << "error: " << to_string(error) << '\n';
}

/// Shortest round-trip representation: the CSV must reproduce the solver's
/// doubles exactly (tests compare at 1e-9 and beyond).
std::string exact(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

bool write_csv(const std::filesystem::path& file, const bush_solver& solver) {
  std::ofstream out(file);
  if (!out)
    return false;
  out << "from,to,flow,cost\n";
  const auto& links = solver.net().links();
  auto flows = solver.flows();
  auto costs = solver.costs();
  for (std::size_t i = 0; i < links.size(); ++i)
    out << links[i].from + 1 << ',' << links[i].to + 1 << ','
        << exact(flows[i]) << ',' << exact(costs[i]) << '\n';
  out.close();
  return static_cast<bool>(out);
}

std::string progress_line(const iteration_report& report) {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer,
                "iteration %4d  gap %.3e  beckmann %.15g  tstt %.15g  "
                "elapsed %.3f s",
                report.iteration, report.measures.relative_gap,
                report.measures.beckmann, report.measures.total_cost,
                report.elapsed_seconds);
  return buffer;
}

} // namespace

int run_assign(const assign_options& options, std::ostream& progress) {
  // Read both files before giving up so that all input errors show at once.
  auto net = read_network(options.net_file);
  auto trips = net ? read_trips(options.trips_file, net.value().num_zones())
                   : read_trips(options.trips_file);
  if (!net || !trips) {
    if (!net)
      print_errors(net.errors(), progress);
    if (!trips)
      print_errors(trips.errors(), progress);
    return exit_code(assign_exit::input_error);
  }
  auto solver = bush_solver::create(std::move(net).value(),
                                    std::move(trips).value(), options.weights);
  if (!solver) {
    print_errors(solver.errors(), progress);
    return exit_code(assign_exit::input_error);
  }
  // Fail before solving if the output cannot be written.
  if (!std::ofstream(options.out_file)) {
    progress << "error: cannot write " << options.out_file.string() << '\n';
    return exit_code(assign_exit::input_error);
  }
  solve_options solve;
  solve.target_gap = options.target_gap;
  solve.max_seconds = options.max_seconds;
  solve.max_iterations = options.max_iterations;
  auto summary = solver.value().solve(solve, [&](const iteration_report& r) {
    progress << progress_line(r) << '\n' << std::flush;
  });
  if (!write_csv(options.out_file, solver.value())) {
    progress << "error: writing " << options.out_file.string() << " failed\n";
    return exit_code(assign_exit::input_error);
  }
  if (summary.reason != stop_reason::converged) {
    progress << "stopped before reaching gap " << options.target_gap << " ("
             << (summary.reason == stop_reason::max_time ? "time"
                                                         : "iteration")
             << " limit)\n";
    return exit_code(assign_exit::not_converged);
  }
  progress << "converged: gap " << summary.last.measures.relative_gap
           << " after " << summary.iterations << " iterations\n";
  return exit_code(assign_exit::converged);
}

void add_assign_command(CLI::App& app) {
  auto opts = std::make_shared<assign_options>();
  auto* cmd = app.add_subcommand(
      "assign", "Static user equilibrium (Algorithm B) on a TNTP network");
  cmd->add_option("--net", opts->net_file, "TNTP _net file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--trips", opts->trips_file, "TNTP _trips file")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--gap", opts->target_gap, "Target relative gap")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-time", opts->max_seconds, "Time budget, seconds")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-iterations", opts->max_iterations, "Iteration budget")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--toll-factor", opts->weights.toll_factor,
                  "Generalised cost weight of tolls")
      ->capture_default_str();
  cmd->add_option("--distance-factor", opts->weights.distance_factor,
                  "Generalised cost weight of link length")
      ->capture_default_str();
  cmd->add_option("-o,--out", opts->out_file,
                  "CSV of link flows and costs to write")
      ->required();
  cmd->callback([opts] {
    if (auto rc = run_assign(*opts, std::cout); rc != 0)
      throw CLI::RuntimeError(rc);
  });
}

} // namespace citytwin::scenarios::assignment
