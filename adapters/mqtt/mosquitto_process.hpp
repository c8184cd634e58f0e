// adapters/mqtt/mosquitto_process.hpp
#pragma once

// A real `mosquitto` broker for ingest tests and benchmarks: a child
// process listening on a free loopback port, stopped by its PID when the
// object goes away. All waits are bounded. Not used by the server.

#include <cstdint>
#include <string>
#include <sys/types.h>

namespace citytwin::mqtt {

class mosquitto_process {
public:
  /// Finds the broker binary; empty if mosquitto is not installed.
  static std::string binary();

  /// Starts a broker on a free port of 127.0.0.1 and waits (at most 5 s)
  /// until it accepts connections. `running()` tells whether it worked.
  mosquitto_process();

  /// Stops the broker: SIGTERM, then SIGKILL after 5 s.
  ~mosquitto_process();

  mosquitto_process(const mosquitto_process&) = delete;
  mosquitto_process& operator=(const mosquitto_process&) = delete;

  bool running() const {
    return pid_ > 0;
  }

  uint16_t port() const {
    return port_;
  }

  std::string url() const {
    return "mqtt://127.0.0.1:" + std::to_string(port_);
  }

  /// Stops the broker, keeping the port, so that `start` can bring it
  /// back (reconnect tests).
  void stop();

  /// Kills the broker with SIGKILL, as a crash would: no clean
  /// disconnect, nothing flushed (fault tests).
  void kill();

  /// (Re)starts the broker on the same port; false if it does not come up.
  bool start();

  /// Runs `mosquitto_pub` against this broker with extra arguments (each
  /// one already shell-quoted); returns its exit status.
  int publish(const std::string& args) const;

private:
  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = 0;
};

/// Quotes one argument for /bin/sh.
std::string shell_quote(const std::string& text);

} // namespace citytwin::mqtt
