// bench/child_process.hpp
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace citytwin::bench {

/// A child process for the soak: the server under test or a load
/// generator. Its stdin is a pipe the parent holds (closing it tells a
/// load generator to stop: EOF also comes when the parent dies, so no
/// child outlives the driver for long); its stdout is a pipe read line by
/// line, or a log file. Stops by its PID only, never by name.
class child_process {
public:
  /// Starts `argv` (argv[0] a path). With a non-empty `log_path`, stdout
  /// and stderr go to that file; otherwise stdout is readable with
  /// `read_line` and stderr is inherited.
  child_process(const std::vector<std::string>& argv,
                const std::string& log_path = {});

  /// `stop(5s)`.
  ~child_process();

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const {
    return pid_;
  }

  /// True while the process has not exited (reaps it if it has).
  bool alive();

  /// How it ended: "exit N", "signal N", or "running".
  std::string how_ended();

  /// One line of stdout without the newline; empty on EOF or when nothing
  /// came within `timeout`.
  std::string read_line(std::chrono::milliseconds timeout);

  /// Closes the child's stdin (the polite stop for load generators).
  void close_stdin();

  /// Waits up to `grace` for the child to exit by itself.
  bool wait(std::chrono::milliseconds grace);

  /// SIGTERM, then SIGKILL after `grace`; idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds{5});

private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int status_ = 0;
  bool reaped_ = false;
  std::string buffer_;
};

} // namespace citytwin::bench
