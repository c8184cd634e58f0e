// scenarios/import_network_command.hpp
#pragma once

// `citytwin import-network`: a SUMO or TNTP network as a city file.

#include "twin/cli_fwd.hpp"

namespace citytwin::scenarios {

void add_import_network_command(CLI::App& app);

} // namespace citytwin::scenarios
