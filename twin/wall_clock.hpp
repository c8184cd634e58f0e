// twin/wall_clock.hpp
#pragma once

#include "twin/reading.hpp"

#include <atomic>
#include <string>

namespace citytwin::twin {

/// The time of day, read in one place. Code at the edges that stamps real
/// time (NGSI-LD `createdAt`, `notifiedAt`, token expiry) calls `now_ms()`
/// or `iso_now()` instead of `std::chrono::system_clock`, so that a test can
/// install a `manual_clock` and check expiry or timestamps without sleeping.
/// Actors never read it: simulated time travels in messages.
///
/// The installed clock is the one process-wide setting in twin/; only tests
/// change it (`scoped_wall_clock`). Reading it is lock-free and safe from
/// any thread.
class wall_clock {
public:
  virtual ~wall_clock() = default;

  /// Milliseconds since 1970-01-01T00:00:00Z; the system clock unless
  /// overridden.
  virtual time_ms now_ms() const;
};

/// A wall clock that stands still until a test moves it. Safe to move from
/// the test's thread while server threads read it.
class manual_clock final : public wall_clock {
public:
  explicit manual_clock(time_ms start) : now_(start) {
    // nop
  }

  time_ms now_ms() const override;

  /// Jumps to `t` (backwards too, for clocks that step back).
  void set(time_ms t);

  /// Moves on by `delta` milliseconds.
  void advance(time_ms delta);

private:
  std::atomic<time_ms> now_;
};

/// The time now from the installed clock, in Unix milliseconds.
time_ms now_ms();

/// The time now as ISO 8601 UTC with milliseconds, for `createdAt` and
/// its kin: `format_iso_time(now_ms())`.
std::string iso_now();

/// Installs `clock` for the whole process, or the system clock again for
/// nullptr, and returns the clock installed before. For tests only;
/// prefer `scoped_wall_clock`.
/// @pre `clock` outlives its installation, and no thread reads the time
///      after it is gone.
const wall_clock* set_wall_clock_for_tests(const wall_clock* clock);

/// Installs a clock for the lifetime of this object, then restores the
/// one before: `manual_clock clock{t}; scoped_wall_clock use{clock};`.
class scoped_wall_clock {
public:
  explicit scoped_wall_clock(const wall_clock& clock);

  ~scoped_wall_clock();

  scoped_wall_clock(const scoped_wall_clock&) = delete;
  scoped_wall_clock& operator=(const scoped_wall_clock&) = delete;

private:
  const wall_clock* previous_;
};

} // namespace citytwin::twin
