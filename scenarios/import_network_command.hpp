// scenarios/import_network_command.hpp
#pragma once

// `citytwin import-network`: a SUMO or TNTP network as a city file.
// The subcommand lives beside what it drives; the `citytwin` main only
// registers it.

namespace CLI {
class App;
} // namespace CLI

namespace citytwin::scenarios {

/// Registers the subcommand with its options and callback.
void add_import_network_command(CLI::App& app);

} // namespace citytwin::scenarios
