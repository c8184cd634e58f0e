// adapters/archive/tenant_erase.cpp
#include "adapters/archive/tenant_erase.hpp"

#include "adapters/archive/file_io.hpp"
#include "adapters/archive/tenant_archive.hpp"
#include "adapters/archive/tenant_lock.hpp"
#include "twin/error.hpp"
#include "twin/wall_clock.hpp"

#include <cerrno>
#include <cstdio>
#include <vector>

namespace citytwin::archive {

namespace {

namespace fs = std::filesystem;

// Counts what goes, for the audit log; best effort.
erase_report measure(const fs::path& folder) {
  erase_report result;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator{folder, ec};
       !ec && it != fs::recursive_directory_iterator{}; it.increment(ec)) {
    if (!it->is_regular_file(ec))
      continue;
    ++result.files;
    result.bytes += it->file_size(ec);
  }
  return result;
}

// The time in a hidden folder's name: ISO 8601 UTC without colons, all
// of one length (`2024-05-01T120000.000Z`).
std::string stamp_now() {
  auto result = twin::iso_now();
  std::erase(result, ':');
  return result;
}

std::string hidden_name(const std::string& tenant, const std::string& stamp) {
  return ".erasing-" + tenant + "-" + stamp;
}

// Removes the hidden folders of `tenant`: the one just renamed, and any an
// interrupted erase left. Matched by length too, so that erasing `demo`
// leaves `.erasing-demo-x-<time>` to tenant `demo-x`'s erase.
caf::error remove_hidden(const fs::path& root, const std::string& tenant,
                         const std::string& stamp) {
  auto prefix = hidden_name(tenant, "");
  std::error_code ec;
  std::vector<fs::path> found;
  for (auto it = fs::directory_iterator{root, ec};
       !ec && it != fs::directory_iterator{}; it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.size() == prefix.size() + stamp.size()
        && name.compare(0, prefix.size(), prefix) == 0)
      found.push_back(it->path());
  }
  for (const auto& path : found) {
    fs::remove_all(path, ec);
    if (ec)
      return caf::make_error(twin::errc::io_failure,
                             "cannot remove " + path.string() + ": "
                                 + ec.message()
                                 + "; the tenant is gone from the archive, "
                                   "remove the folder by hand");
  }
  sync_folder(root);
  return {};
}

} // namespace

caf::expected<erase_report> erase_tenant(const fs::path& root,
                                         const std::string& tenant) {
  auto found = existing_tenant_folder(root, tenant);
  if (!found)
    return found.error();
  const auto& folder = *found;
  // Held until the folder is gone: a server starting meanwhile finds it
  // locked or no longer there (and starts an empty tenant).
  auto lock = tenant_lock::acquire(folder);
  if (!lock)
    return lock.error();
  auto result = measure(folder);
  auto stamp = stamp_now();
  auto hidden = root / hidden_name(tenant, stamp);
  if (::rename(folder.c_str(), hidden.c_str()) != 0)
    return file_error(errno, folder, "rename for erasing");
  sync_folder(root);
  if (auto err = remove_hidden(root, tenant, stamp))
    return err;
  return result;
}

} // namespace citytwin::archive
