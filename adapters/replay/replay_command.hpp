// adapters/replay/replay_command.hpp
#pragma once

// `citytwin replay`: publishes a recorded dataset over MQTT.

#include "twin/cli_fwd.hpp"

namespace citytwin::replay {

void add_replay_command(CLI::App& app);

} // namespace citytwin::replay
