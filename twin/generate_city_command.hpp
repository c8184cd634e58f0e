// twin/generate_city_command.hpp
#pragma once

// `citytwin generate-city`: writes a generated city file.
// The subcommand lives beside what it drives; the `citytwin` main only
// registers it.

namespace CLI {
class App;
} // namespace CLI

namespace citytwin::twin {

/// Registers the subcommand with its options and callback.
void add_generate_city_command(CLI::App& app);

} // namespace citytwin::twin
