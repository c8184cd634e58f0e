// adapters/archive/tenant_lock.hpp
#pragma once

// Who holds a tenant's archive. A server holds `<root>/<tenant>/.lock`
// (an advisory `flock`) for as long as its archive is open, and `citytwin
// erase` holds it while it deletes, so that neither runs under the other
// and two servers never write one tenant's journal.

#include <caf/expected.hpp>

#include <filesystem>

namespace citytwin::archive {

/// An exclusive advisory lock on a tenant's folder, released when the
/// object (or the process) goes. The lock file stays: deleting it would
/// let a second locker lock a fresh file while the first still holds the
/// old one.
class tenant_lock {
public:
  /// Locks `folder` (a tenant's folder, which must exist) without waiting:
  /// errc::in_use naming the lock file when someone holds it (another
  /// process, or another `acquire` in this one), errc::io_failure when the
  /// lock file cannot be created.
  static caf::expected<tenant_lock>
  acquire(const std::filesystem::path& folder);

  tenant_lock() = default;
  tenant_lock(tenant_lock&& other) noexcept;
  tenant_lock& operator=(tenant_lock&& other) noexcept;
  tenant_lock(const tenant_lock&) = delete;
  tenant_lock& operator=(const tenant_lock&) = delete;
  ~tenant_lock();

  bool held() const {
    return fd_ >= 0;
  }

private:
  explicit tenant_lock(int fd) : fd_(fd) {
    // nop
  }

  int fd_ = -1;
};

} // namespace citytwin::archive
