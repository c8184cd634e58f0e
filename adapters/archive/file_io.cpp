// adapters/archive/file_io.cpp
#include "adapters/archive/file_io.hpp"

#include "twin/error.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace citytwin::archive {

caf::error file_error(int err, const std::filesystem::path& file,
                      std::string_view what) {
  auto code = err == ENOSPC || err == EDQUOT || err == EFBIG
                ? twin::errc::out_of_space
                : twin::errc::io_failure;
  return caf::make_error(code, "cannot " + std::string{what} + " "
                                 + file.string() + ": " + std::strerror(err));
}

caf::error write_all(int fd, const std::filesystem::path& file,
                     std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return file_error(n < 0 ? errno : ENOSPC, file, "write");
    done += static_cast<size_t>(n);
  }
  return {};
}

void sync_folder(const std::filesystem::path& folder) {
  int fd = ::open(folder.empty() ? "." : folder.c_str(),
                  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

caf::error replace_file(const std::filesystem::path& path,
                        std::string_view bytes) {
  auto tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return file_error(errno, tmp, "create");
  auto err = write_all(fd, tmp, bytes);
  if (!err && ::fsync(fd) != 0)
    err = file_error(errno, tmp, "fsync");
  ::close(fd);
  if (!err && ::rename(tmp.c_str(), path.c_str()) != 0)
    err = file_error(errno, path, "rename into place");
  if (err) {
    ::unlink(tmp.c_str());
    return err;
  }
  sync_folder(path.parent_path());
  return {};
}

namespace {

// Writes of about this size: few system calls, little memory.
constexpr size_t staged_buffer_bytes = 1 << 20;

} // namespace

caf::expected<staged_file>
staged_file::create(const std::filesystem::path& path) {
  staged_file result;
  result.path_ = path;
  result.tmp_ = path;
  result.tmp_ += ".tmp";
  result.fd_ = ::open(result.tmp_.c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (result.fd_ < 0)
    return file_error(errno, result.tmp_, "create");
  result.buffer_.reserve(staged_buffer_bytes);
  return result;
}

staged_file::staged_file(staged_file&& other) noexcept
  : path_(std::move(other.path_)),
    tmp_(std::move(other.tmp_)),
    fd_(std::exchange(other.fd_, -1)),
    buffer_(std::move(other.buffer_)),
    size_(other.size_) {
  // nop
}

staged_file::~staged_file() {
  if (fd_ < 0)
    return;
  ::close(fd_);
  ::unlink(tmp_.c_str());
}

caf::error staged_file::flush() {
  auto err = write_all(fd_, tmp_, buffer_);
  buffer_.clear();
  return err;
}

caf::error staged_file::append(std::string_view bytes) {
  buffer_.append(bytes);
  size_ += bytes.size();
  if (buffer_.size() < staged_buffer_bytes)
    return {};
  return flush();
}

caf::error staged_file::commit() {
  if (fd_ < 0)
    return caf::make_error(twin::errc::io_failure,
                           path_.string() + " was committed already");
  auto err = flush();
  if (!err && ::fsync(fd_) != 0)
    err = file_error(errno, tmp_, "fsync");
  if (err)
    return err; // the destructor removes the temporary file
  ::close(std::exchange(fd_, -1));
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    auto rename_err = file_error(errno, path_, "rename into place");
    ::unlink(tmp_.c_str());
    return rename_err;
  }
  sync_folder(path_.parent_path());
  return {};
}

} // namespace citytwin::archive
