// tests/main.cpp: Catch2's runner, compiled once, with what tells skipped
// test cases from passed ones (tests/skip.hpp): a listener records each
// case, and the exit code is 77 when every case run was skipped.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "skip.hpp"

#include <iostream>

namespace {

struct skip_listener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;

  void testCaseStarting(const Catch::TestCaseInfo& info) override {
    citytwin::test::detail::case_started();
    TestEventListenerBase::testCaseStarting(info);
  }

  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    citytwin::test::detail::case_ended(stats.testInfo.name);
    TestEventListenerBase::testCaseEnded(stats);
  }
};

} // namespace

CATCH_REGISTER_LISTENER(skip_listener)

int main(int argc, char* argv[]) {
  Catch::Session session;
  auto result = session.run(argc, argv);
  // After Catch2's totals (which count a skipped case as passed), on
  // stderr, which reporters writing XML to stdout leave alone.
  citytwin::test::detail::print_skips(std::cerr);
  return citytwin::test::detail::exit_code(result);
}
