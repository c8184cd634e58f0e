// tests/eventually.hpp
#pragma once

// Waiting for what another process or thread does (a broker delivering, a
// server answering): poll until it holds, within a bound. Only for things
// that must happen; a test that something does not happen uses the
// deterministic clock instead (STYLE.md).

#include <chrono>
#include <thread>

namespace citytwin::test {

/// Polls `done` every 5 ms for at most `limit`; false if it never held.
template <class F>
bool eventually(F done,
                std::chrono::milliseconds limit = std::chrono::seconds{10}) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return true;
}

} // namespace citytwin::test
