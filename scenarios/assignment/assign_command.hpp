// scenarios/assignment/assign_command.hpp
#pragma once

#include "scenarios/assignment/bpr_link.hpp"
#include "twin/cli_fwd.hpp"

#include <filesystem>
#include <iosfwd>
#include <limits>

namespace citytwin::scenarios::assignment {

/// Options of `citytwin assign` (one field per command-line flag).
struct assign_options {
  /// `--net`: TNTP net file.
  std::filesystem::path net_file;
  /// `--trips`: TNTP trips file.
  std::filesystem::path trips_file;
  /// `--out`: CSV of link flows and costs to write.
  std::filesystem::path out_file;
  /// `--gap`: target relative gap.
  double target_gap = 1e-8;
  /// `--max-time`: wall-clock budget in seconds.
  double max_seconds = std::numeric_limits<double>::infinity();
  /// `--max-iterations`.
  int max_iterations = 1000;
  /// `--toll-factor` and `--distance-factor`.
  cost_weights weights;
};

/// Exit codes of `run_assign`.
enum class assign_exit : int {
  /// Converged to the target gap; CSV written.
  converged = 0,
  /// Bad input or an output file that cannot be written; nothing solved.
  input_error = 1,
  /// Stopped by the time or iteration budget; CSV written anyway.
  not_converged = 2,
};

/// Loads network and trips, solves the user equilibrium with Algorithm B,
/// prints one progress line per iteration to `progress` and writes the CSV
/// `from,to,flow,cost` (TNTP node ids, generalised cost, one row per link in
/// net-file order). Input errors are printed to `progress`, all of them.
/// @returns an `assign_exit` value as int.
int run_assign(const assign_options& options, std::ostream& progress);

/// Registers `citytwin assign` with its options; runs `run_assign`.
void add_assign_command(CLI::App& app);

} // namespace citytwin::scenarios::assignment
