// viz/inspect_command.hpp
#pragma once

// `citytwin inspect`: boots a city, feeds it and prints states as JSON.

#include "twin/cli_fwd.hpp"

namespace citytwin::viz {

void add_inspect_command(CLI::App& app);

} // namespace citytwin::viz
