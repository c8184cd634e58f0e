// twin/wall_clock.cpp
#include "twin/wall_clock.hpp"

#include "twin/civil_time.hpp"

#include <chrono>

namespace citytwin::twin {

namespace {

// The clock a test installed; nullptr reads the system clock directly,
// without a virtual call.
std::atomic<const wall_clock*> installed{nullptr};

time_ms system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace

time_ms wall_clock::now_ms() const {
  return system_now_ms();
}

time_ms manual_clock::now_ms() const {
  return now_.load();
}

void manual_clock::set(time_ms t) {
  now_.store(t);
}

void manual_clock::advance(time_ms delta) {
  now_.fetch_add(delta);
}

time_ms now_ms() {
  const auto* clock = installed.load(std::memory_order_acquire);
  return clock != nullptr ? clock->now_ms() : system_now_ms();
}

std::string iso_now() {
  return format_iso_time(now_ms());
}

const wall_clock* set_wall_clock_for_tests(const wall_clock* clock) {
  return installed.exchange(clock, std::memory_order_acq_rel);
}

scoped_wall_clock::scoped_wall_clock(const wall_clock& clock)
    : previous_(set_wall_clock_for_tests(&clock)) {
  // nop
}

scoped_wall_clock::~scoped_wall_clock() {
  set_wall_clock_for_tests(previous_);
}

} // namespace citytwin::twin
