// adapters/archive/file_io.cpp
#include "adapters/archive/file_io.hpp"

#include "twin/error.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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

} // namespace citytwin::archive
