// adapters/archive/tenant_erase.hpp
#pragma once

#include <caf/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace citytwin::archive {

/// What an erase deleted.
struct erase_report {
  uint64_t files = 0;
  uint64_t bytes = 0;
};

/// Deletes everything of `tenant` in the archive folder `root`: the whole
/// folder `<root>/<tenant>` (journal, latest.bin, segments, the city and
/// rules a restore left). Refuses with errc::in_use while a server holds
/// the tenant (tenant_lock.hpp) and with errc::invalid_config when there
/// is no such tenant. Holding the lock, it renames the folder to a hidden
/// `<root>/.erasing-<tenant>-<time>` (one atomic step: a crash never
/// leaves half a tenant where a server would open it), then removes that,
/// and also what an erase interrupted earlier left of the same tenant.
caf::expected<erase_report> erase_tenant(const std::filesystem::path& root,
                                         const std::string& tenant);

} // namespace citytwin::archive
