// tests/twin/import/sumo_test_files.hpp
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace citytwin::test {

/// SUMO's data directory ($SUMO_HOME, else Debian's /usr/share/sumo).
inline std::filesystem::path sumo_home() {
  if (const char* env = std::getenv("SUMO_HOME"))
    return env;
  return "/usr/share/sumo";
}

/// The packaged Bologna scenarios (Debian package sumo-tools).
inline std::filesystem::path sumo_real_world() {
  return sumo_home() / "tools/sumolib/scenario/scenarios/RealWorld";
}

/// Writes `text` to a fresh file in the temp directory; returns its path.
inline std::string write_temp(const std::string& name,
                              const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / "citytwin_import_tests";
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream{path, std::ios::binary | std::ios::trunc} << text;
  return path.string();
}

} // namespace citytwin::test
