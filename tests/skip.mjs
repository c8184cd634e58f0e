// tests/skip.mjs: skipping a node test that cannot run on this machine
// (no chromium, no npm package), the way tests/skip.hpp does for the
// Catch2 tests: exit 77, which ctest reports as "Skipped"
// (SKIP_RETURN_CODE). With CITYTWIN_REQUIRE_ALL_TESTS=1 (set by .ci/run)
// a skip is a failure instead.

export const SKIP_EXIT_CODE = 77;

export function requireAllTests() {
  const value = process.env.CITYTWIN_REQUIRE_ALL_TESTS;
  return value !== undefined && value !== '' && value !== '0';
}

// Prints why and ends the process as skipped (or failed, see above).
export function skip(why) {
  if (requireAllTests()) {
    console.log(`FAIL: skipped, but CITYTWIN_REQUIRE_ALL_TESTS is set: ${why}`);
    process.exit(1);
  }
  console.log(`SKIPPED: ${why}`);
  process.exit(SKIP_EXIT_CODE);
}
