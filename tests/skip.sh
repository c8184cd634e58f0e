# tests/skip.sh: skipping a shell test that cannot run on this machine (a
# tool or a file it needs is missing), the way tests/skip.hpp does for the
# Catch2 tests: exit 77, which ctest reports as "Skipped"
# (SKIP_RETURN_CODE). With CITYTWIN_REQUIRE_ALL_TESTS=1 (set by .ci/run)
# a skip is a failure instead.
#
# Sourced: defines `skip REASON` and `need PROGRAM [HINT]`.
# Run (`bash skip.sh REASON [ignored...]`): skips with REASON; CMake
# registers a test this way when its runner (node) is missing.

skip() {
  if [ -n "${CITYTWIN_REQUIRE_ALL_TESTS:-}" ] \
    && [ "$CITYTWIN_REQUIRE_ALL_TESTS" != 0 ]; then
    echo "FAIL: skipped, but CITYTWIN_REQUIRE_ALL_TESTS is set: $*"
    exit 1
  fi
  echo "SKIPPED: $*"
  exit 77
}

need() {
  command -v "$1" >/dev/null 2>&1 || skip "$1 is not on PATH${2:+ ($2)}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  skip "$1"
fi
