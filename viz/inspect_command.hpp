// viz/inspect_command.hpp
#pragma once

// `citytwin inspect`: boots a city, feeds it and prints states as JSON.
// The subcommand lives beside what it drives; the `citytwin` main only
// registers it.

namespace CLI {
class App;
} // namespace CLI

namespace citytwin::viz {

/// Registers the subcommand with its options and callback.
void add_inspect_command(CLI::App& app);

} // namespace citytwin::viz
