// bench/soak_server.hpp
#pragma once

#include "bench/child_process.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace citytwin::bench {

/// What /proc says about a process's memory, in KiB.
struct process_memory {
  double rss_kib = 0; ///< VmRSS
  double hwm_kib = 0; ///< VmHWM, the peak resident set since start
};

/// VmRSS and VmHWM of `pid`; zeros if it is gone.
process_memory read_process_memory(int pid);

/// A free TCP port on 127.0.0.1 (bound once and released: another
/// process could take it meanwhile, which the server's start reveals).
uint16_t free_loopback_port();

/// The counters of a Prometheus text page, labels kept in the name
/// (`citytwin_x{reason="y"}`); `sum` adds every series of one name.
struct metrics_page {
  std::map<std::string, double> series;
  double get(const std::string& name) const;
  double sum(const std::string& name) const;
};

/// The real `citytwin serve` as a child process on 127.0.0.1: viewer
/// port, NGSI-LD API port and MQTT ingest, stdout and stderr in a log.
class soak_server {
public:
  struct settings {
    std::string exe;      ///< build/citytwin
    std::string city;     ///< data/demo.city
    std::string access;   ///< data/access/demo.yaml
    std::string bindings; ///< the generated binding table
    uint16_t mqtt_port = 0;
    std::string log;
  };

  explicit soak_server(const settings& s);

  /// Waits until /health answers on the API port; false after `seconds`.
  bool wait_ready(double seconds);

  bool alive() {
    return proc_->alive();
  }

  std::string how_ended() {
    return proc_->how_ended();
  }

  int pid() const {
    return proc_->pid();
  }

  uint16_t viewer_port() const {
    return viewer_port_;
  }

  uint16_t api_port() const {
    return api_port_;
  }

  /// GET /health on the API port within `timeout_ms`: 200 or not.
  bool healthy(int timeout_ms = 2000) const;

  /// The viewer port's /metrics (monitor token); empty when it fails.
  metrics_page metrics() const;

  /// SIGTERM, SIGKILL after 10 s; true if SIGTERM was enough.
  bool stop();

private:
  uint16_t viewer_port_ = 0;
  uint16_t api_port_ = 0;
  std::unique_ptr<child_process> proc_;
};

} // namespace citytwin::bench
