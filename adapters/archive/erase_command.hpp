// adapters/archive/erase_command.hpp
#pragma once

// `citytwin erase`: deletes everything a tenant has in an archive folder
// (tenant_erase.hpp), only when told the tenant's name twice and never
// under a running server. Audited (audit_trail.hpp).

#include "twin/cli_fwd.hpp"

#include <filesystem>
#include <string>

namespace citytwin::archive {

struct erase_options {
  std::filesystem::path archive_root; ///< `serve --archive`
  std::string tenant;
  std::string confirm; ///< must repeat `tenant`
};

/// Runs an erase: refused (exit 2, audited) unless `confirm` equals
/// `tenant`, and while a server holds the tenant. Prints one summary
/// line; the exit code of `finish_audited`.
int run_erase(const erase_options& opts);

void add_erase_command(CLI::App& app);

} // namespace citytwin::archive
