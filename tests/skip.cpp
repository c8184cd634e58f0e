// tests/skip.cpp
#include "skip.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string_view>
#include <vector>

namespace citytwin::test {

namespace {

// What one run of the test process skipped. Catch2 v2 owns its listeners
// and gives `skip` no handle on them, so the record is process-wide; only
// the (single-threaded) test runner's thread touches it.
struct skip_record {
  size_t num_cases = 0;
  size_t num_skipped = 0;
  std::optional<std::string> current; ///< the running case's skip reason
  std::vector<std::string> lines;     ///< "name: reason", in run order
};

skip_record& record() {
  static skip_record result;
  return result;
}

std::string with_hint(std::string text, const std::string& hint) {
  if (!hint.empty())
    text += " (" + hint + ")";
  return text;
}

} // namespace

bool require_all_tests() {
  const char* env = std::getenv("CITYTWIN_REQUIRE_ALL_TESTS");
  return env != nullptr && *env != '\0' && std::string_view{env} != "0";
}

void skip(const std::string& reason) {
  if (require_all_tests())
    FAIL("skipped, but CITYTWIN_REQUIRE_ALL_TESTS is set: " << reason);
  std::cerr << "SKIPPED: " << reason << std::endl;
  auto& r = record();
  // A case with sections runs once per section: keep the first reason.
  if (!r.current)
    r.current = reason;
  // Catch2 v2 ends a test case on this exception without recording a
  // failure (it is what a failed REQUIRE throws after reporting itself).
  throw Catch::TestFailureException{};
}

void require_path(const std::filesystem::path& path, const std::string& hint) {
  if (!std::filesystem::exists(path))
    skip(with_hint(path.string() + " is missing", hint));
}

void require_program(const std::string& program, const std::string& hint) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "";
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    auto dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view{}
                                           : dirs.substr(colon + 1);
    auto candidate = std::filesystem::path{dir} / program;
    std::error_code ignored;
    if (!dir.empty() && std::filesystem::is_regular_file(candidate, ignored))
      return;
  }
  skip(with_hint(program + " is not on PATH", hint));
}

namespace detail {

void case_started() {
  record().current.reset();
}

void case_ended(const std::string& name) {
  auto& r = record();
  ++r.num_cases;
  if (!r.current)
    return;
  ++r.num_skipped;
  r.lines.push_back(name + ": " + *r.current);
  r.current.reset();
}

void print_skips(std::ostream& out) {
  const auto& r = record();
  if (r.num_skipped == 0)
    return;
  out << r.num_skipped << " of " << r.num_cases
      << " test cases skipped (they could not run here):\n";
  for (const auto& line : r.lines)
    out << "  " << line << '\n';
}

int exit_code(int catch_result) {
  const auto& r = record();
  if (catch_result == 0 && r.num_cases > 0 && r.num_skipped == r.num_cases)
    return skip_exit_code;
  return catch_result;
}

} // namespace detail

} // namespace citytwin::test
