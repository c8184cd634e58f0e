// twin/generate_city_command.hpp
#pragma once

// `citytwin generate-city`: writes a generated city file.

#include "twin/cli_fwd.hpp"

namespace citytwin::twin {

void add_generate_city_command(CLI::App& app);

} // namespace citytwin::twin
