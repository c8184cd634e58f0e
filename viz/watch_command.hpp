// viz/watch_command.hpp
#pragma once

// `citytwin watch`: prints a server's live stream.

#include "twin/cli_fwd.hpp"

namespace citytwin::viz {

void add_watch_command(CLI::App& app);

} // namespace citytwin::viz
