// tests/scenarios/assignment/test_data.hpp
#pragma once

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace citytwin::scenarios::assignment::test {

/// The shared data directory: `$CITYTWIN_SHARED_DATA` if set, otherwise
/// `../shared/data` relative to the repository root (found from this file's
/// path, so the tests run from any build directory).
inline std::filesystem::path shared_data_dir() {
  if (const char* env = std::getenv("CITYTWIN_SHARED_DATA"); env && *env)
    return env;
  // tests/scenarios/assignment/test_data.hpp: the root is four levels up.
  auto root = std::filesystem::path(__FILE__).parent_path().parent_path()
                .parent_path().parent_path();
  return root.parent_path() / "shared" / "data";
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

/// Skips the rest of a Catch2 v2 test (which has no SKIP) when `file` is
/// missing, with a visible warning naming it.
#define CITYTWIN_REQUIRE_DATA(file)                                            \
  do {                                                                         \
    if (!std::filesystem::exists(file)) {                                      \
      WARN("skipped: " << (file).string() << " missing");                      \
      return;                                                                  \
    }                                                                          \
  } while (false)
