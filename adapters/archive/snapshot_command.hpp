// adapters/archive/snapshot_command.hpp
#pragma once

// `citytwin snapshot` and `citytwin restore`: a tenant's archive, city
// and rules in one file, and back (tenant_bundle.hpp).

#include "twin/cli_fwd.hpp"

namespace citytwin::archive {

void add_snapshot_commands(CLI::App& app);

} // namespace citytwin::archive
