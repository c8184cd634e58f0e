// adapters/cli/assign.cpp: `citytwin assign`.
#include "adapters/cli/commands.hpp"

#include "scenarios/assignment/assign_command.hpp"

#include <iostream>

namespace citytwin::cli {

void add_assign(CLI::App& app) {
  namespace sa = scenarios::assignment;
  auto opts = std::make_shared<sa::assign_options>();
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
  cmd->add_option("--max-iterations", opts->max_iterations,
                  "Iteration budget")
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
    if (auto rc = sa::run_assign(*opts, std::cout); rc != 0)
      throw CLI::RuntimeError(rc);
  });
}

} // namespace citytwin::cli
