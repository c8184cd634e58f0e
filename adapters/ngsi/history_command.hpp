// adapters/ngsi/history_command.hpp
#pragma once

// `citytwin history`: an entity's archived readings from a running
// server's temporal API, as a table or CSV.

#include "twin/cli_fwd.hpp"

namespace citytwin::ngsi {

void add_history_command(CLI::App& app);

} // namespace citytwin::ngsi
