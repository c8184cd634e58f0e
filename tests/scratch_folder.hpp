// tests/scratch_folder.hpp
#pragma once

// A fresh folder under the system's temporary directory for one test,
// removed with everything in it when the test ends. The process id in the
// name keeps tests that ctest runs in parallel apart.

#include <unistd.h>

#include <filesystem>
#include <string>

namespace citytwin::test {

struct scratch_folder {
  std::filesystem::path path;

  /// `<tmp>/citytwin_<area>_<pid>_<name>`, empty.
  scratch_folder(const std::string& area, const std::string& name)
    : path(std::filesystem::temp_directory_path()
           / ("citytwin_" + area + "_" + std::to_string(::getpid()) + "_"
              + name)) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }

  ~scratch_folder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }

  scratch_folder(const scratch_folder&) = delete;
  scratch_folder& operator=(const scratch_folder&) = delete;
};

} // namespace citytwin::test
