// bench/subscriber_process.hpp
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace citytwin::bench {

/// `mosquitto_sub` as a child process on a loopback broker, its output
/// counted by a reader thread: lines starting with `[` (SenML packs) and
/// lines starting with `p` (probes, to tell that it is subscribed). Stops
/// by its PID when the object goes away; every wait is bounded.
class subscriber_process {
public:
  using clock_type = std::chrono::steady_clock;

  /// Starts `mosquitto_sub -q 0` on 127.0.0.1:`port` with `filters`.
  subscriber_process(uint16_t port, const std::vector<std::string>& filters,
                     int qos = 0);

  /// Stops the child: SIGTERM, then SIGKILL after 5 s.
  ~subscriber_process();

  subscriber_process(const subscriber_process&) = delete;
  subscriber_process& operator=(const subscriber_process&) = delete;

  bool running() const {
    return pid_ > 0;
  }

  /// Stops the child and joins the reader; idempotent.
  void stop();

  size_t num_lines() const {
    return lines_.load();
  }

  size_t num_probes() const {
    return probes_.load();
  }

  /// Counts packs from zero again, with `start` as the last line's time.
  void reset_clock(clock_type::time_point start);

  /// When the last pack line arrived (or the reset time).
  clock_type::time_point last_line() const {
    return clock_type::time_point{clock_type::duration{last_.load()}};
  }

private:
  void read_output();

  pid_t pid_ = 0;
  int fd_ = -1;
  std::thread reader_;
  std::atomic<size_t> lines_{0};
  std::atomic<size_t> probes_{0};
  std::atomic<clock_type::rep> last_{0};
};

} // namespace citytwin::bench
