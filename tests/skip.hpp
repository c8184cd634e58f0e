// tests/skip.hpp
#pragma once

// Skipping a test that cannot run on this machine (no mosquitto, no shared
// data, no SUMO files). Catch2 v2 has no SKIP, so `skip` ends the test case
// without a failure and records it; the runner (tests/main.cpp) exits with
// `skip_exit_code` when every test case it ran was skipped, which ctest
// reports as "Skipped" (SKIP_RETURN_CODE in tests/CMakeLists.txt). A test
// never returns early in silence: it calls `skip` with the reason.
//
// With CITYTWIN_REQUIRE_ALL_TESTS=1 in the environment (.ci/run sets it)
// a skip is a failure instead: CI has everything and must run everything.

#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>

namespace citytwin::test {

/// The exit code of a test process that skipped every test case it ran;
/// the same code as automake's and `tests/skip.sh`.
constexpr int skip_exit_code = 77;

/// True if CITYTWIN_REQUIRE_ALL_TESTS is set (and not "0"): skips fail.
bool require_all_tests();

/// Ends the running test case as skipped and prints `reason`; a failure
/// with `reason` instead when `require_all_tests()`.
/// @pre Called from inside a running Catch2 test case.
[[noreturn]] void skip(const std::string& reason);

/// Skips unless `path` exists; `hint` says how to get it.
void require_path(const std::filesystem::path& path,
                  const std::string& hint = {});

/// Skips unless `program` is found on PATH; `hint` says how to get it.
void require_program(const std::string& program, const std::string& hint = {});

namespace detail {

/// Called by the runner's listener when a test case starts.
void case_started();

/// Called by the runner's listener when a test case ends.
void case_ended(const std::string& name);

/// Prints which test cases were skipped and why, if any.
void print_skips(std::ostream& out);

/// The process's exit code given Catch2's (the number of failures):
/// `skip_exit_code` if nothing failed and every test case run skipped.
int exit_code(int catch_result);

} // namespace detail

} // namespace citytwin::test
