// adapters/broker/token_command.hpp
#pragma once

// `citytwin token`: new bearer tokens and their hashes for a tenants file.

#include "twin/cli_fwd.hpp"

namespace citytwin::broker {

void add_token_command(CLI::App& app);

} // namespace citytwin::broker
