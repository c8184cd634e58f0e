// viz/watch_command.hpp
#pragma once

// `citytwin watch`: prints a server's live stream.
// The subcommand lives beside what it drives; the `citytwin` main only
// registers it.

namespace CLI {
class App;
} // namespace CLI

namespace citytwin::viz {

/// Registers the subcommand with its options and callback.
void add_watch_command(CLI::App& app);

} // namespace citytwin::viz
