// fuzz/temp_file.hpp: fuzz input as a file, for readers that only take a
// path (TNTP). An anonymous memfd: nothing lands on disk, nothing needs
// cleaning up after a crash, and `/proc/self/fd/N` opens like any file.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace citytwin::fuzz {

class temp_file {
public:
  explicit temp_file(const char* name) : fd_(memfd_create(name, 0)) {
    if (fd_ < 0)
      std::abort(); // the harness cannot run at all: not a finding
  }
  ~temp_file() {
    close(fd_);
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;

  /// Replaces the content; returns the path to open.
  std::string write(std::string_view content) {
    if (ftruncate(fd_, 0) != 0 || lseek(fd_, 0, SEEK_SET) != 0)
      std::abort();
    for (size_t done = 0; done < content.size();) {
      auto n = ::write(fd_, content.data() + done, content.size() - done);
      if (n <= 0)
        std::abort();
      done += static_cast<size_t>(n);
    }
    return "/proc/self/fd/" + std::to_string(fd_);
  }

private:
  int fd_;
};

} // namespace citytwin::fuzz
