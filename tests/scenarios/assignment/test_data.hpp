// tests/scenarios/assignment/test_data.hpp
#pragma once

#include "tests/skip.hpp"
#include "tests/test_data.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace citytwin::scenarios::assignment::test {

/// The shared data directory: `$CITYTWIN_SHARED_DATA` if set, otherwise
/// the path CMake found (tests/test_data.hpp).
inline std::filesystem::path shared_data_dir() {
  return citytwin::test::shared_data_dir();
}

/// A TNTP file such as `tntp_file("SiouxFalls", "SiouxFalls_net.tntp")`.
inline std::filesystem::path tntp_file(const std::string& network,
                                       const std::string& file) {
  return shared_data_dir() / "tntp" / network / file;
}

/// A fresh directory under the system temp dir, removed on destruction.
class temp_dir {
public:
  temp_dir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path()
            / ("citytwin_assign_" + std::to_string(::getpid()) + "_"
               + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }

  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  /// Writes `text` to `name` inside the directory and returns its path.
  std::filesystem::path write(const std::string& name,
                              const std::string& text) const {
    auto file = path_ / name;
    std::ofstream(file) << text;
    return file;
  }

  const std::filesystem::path& path() const {
    return path_;
  }

private:
  std::filesystem::path path_;
};

} // namespace citytwin::scenarios::assignment::test

/// Skips the running test (tests/skip.hpp) when `file` is missing.
#define CITYTWIN_REQUIRE_DATA(file)                                            \
  citytwin::test::require_path((file), citytwin::test::shared_data_hint)
