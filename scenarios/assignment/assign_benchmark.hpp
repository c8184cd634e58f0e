// scenarios/assignment/assign_benchmark.hpp
#pragma once

#include <string>
#include <vector>

namespace citytwin::scenarios::assignment {

/// One measured figure against its goal, for a benchmark table.
struct benchmark_row {
  std::string figure;
  std::string goal;
  std::string measured;
};

/// Runs the assignment benchmarks of issue 6 on the TNTP networks under
/// `data_dir` (the shared data directory holding `tntp/`, or `tntp/`
/// itself):
/// - Chicago Sketch (toll 0.02, distance 0.04): time to gap 1e-4 and 1e-8;
/// - Berlin-Center: time to gap 1e-4 and peak memory (VmHWM);
/// - Chicago Sketch: warm start after closing its busiest type-1 link versus
///   a cold start on the closed network, both to gap 1e-8.
/// Times are wall-clock and process CPU seconds of the solve (file reading
/// excluded). A network whose files are missing yields a row saying so.
std::vector<benchmark_row> run_assignment_benchmarks(const std::string& data_dir);

} // namespace citytwin::scenarios::assignment
