# tests/skip.sh: skipping a shell test that cannot run on this machine (a
# tool or a file it needs is missing), the way tests/skip.hpp does for the
# Catch2 tests: exit 77, which ctest reports as "Skipped"
# (SKIP_RETURN_CODE). With CITYTWIN_REQUIRE_ALL_TESTS=1 (set by .ci/run)
# a skip is a failure instead.
#
# Sourced: defines `skip REASON`, `need PROGRAM [HINT]` and `need_h5py`.
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

# Sets `py` to Debian's python3, which python3-h5py belongs to (a pyenv or
# venv python3 earlier on PATH would not see it), or skips.
need_h5py() {
  py=/usr/bin/python3
  [ -x "$py" ] || py=python3
  "$py" -c "import h5py, numpy" 2>/dev/null \
    || skip "python3-h5py is missing (run .ci/setup)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  skip "$1"
fi
