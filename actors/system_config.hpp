// actors/system_config.hpp
#pragma once

#include <caf/actor_system_config.hpp>

namespace citytwin::actors {

/// Registers citytwin's message types and error category with a CAF
/// configuration. Every actor system that runs citytwin actors calls this
/// before the system is built (server, tools, tests, benchmarks).
void register_types(caf::actor_system_config& cfg);

} // namespace citytwin::actors
