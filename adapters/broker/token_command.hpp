// adapters/broker/token_command.hpp
#pragma once

// `citytwin token`: new bearer tokens and their hashes for a tenants file.
// The subcommand lives beside what it drives; the `citytwin` main only
// registers it.

namespace CLI {
class App;
} // namespace CLI

namespace citytwin::broker {

/// Registers the subcommand with its options and callback.
void add_token_command(CLI::App& app);

} // namespace citytwin::broker
