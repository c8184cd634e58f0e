// scenarios/scenario_command.hpp
#pragma once

// `citytwin scenario run FILE`: a what-if scenario simulated on its city,
// with a progress bar, a summary and an HDF5 run file.

#include "twin/cli_fwd.hpp"

namespace citytwin::scenarios {

void add_scenario_command(CLI::App& app);

} // namespace citytwin::scenarios
