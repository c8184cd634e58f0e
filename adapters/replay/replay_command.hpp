// adapters/replay/replay_command.hpp
#pragma once

// `citytwin replay`: publishes a recorded dataset over MQTT.
// The subcommand lives beside what it drives; the `citytwin` main only
// registers it.

namespace CLI {
class App;
} // namespace CLI

namespace citytwin::replay {

/// Registers the subcommand with its options and callback.
void add_replay_command(CLI::App& app);

} // namespace citytwin::replay
