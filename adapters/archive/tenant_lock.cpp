// adapters/archive/tenant_lock.cpp
#include "adapters/archive/tenant_lock.hpp"

#include "adapters/archive/file_io.hpp"
#include "twin/error.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace citytwin::archive {

caf::expected<tenant_lock>
tenant_lock::acquire(const std::filesystem::path& folder) {
  auto path = folder / ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return file_error(errno, path, "create");
  // flock, not fcntl locks: those belong to the process, so a second open
  // in the same process (a test, a second archive object) would not see
  // the first, and closing any descriptor of the file would drop them.
  int rc = 0;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    auto err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return caf::make_error(twin::errc::in_use,
                             "another process holds " + path.string()
                                 + " (a server serving this tenant?); stop "
                                   "it first");
    return file_error(err, path, "lock");
  }
  return tenant_lock{fd};
}

tenant_lock::tenant_lock(tenant_lock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)) {
  // nop
}

tenant_lock& tenant_lock::operator=(tenant_lock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

tenant_lock::~tenant_lock() {
  // Closing the only descriptor of the open file releases the lock.
  if (fd_ >= 0)
    ::close(fd_);
}

} // namespace citytwin::archive
