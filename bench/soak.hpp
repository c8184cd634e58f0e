// bench/soak.hpp
#pragma once

#include <string>

namespace citytwin::bench {

struct soak_options {
  double minutes = 60;         ///< the steady phase at half capacity
  double overload_minutes = 0; ///< 0: a plain soak; else 2x capacity
  double recovery_minutes = 2; ///< after an overload, at half again
  std::string out_dir = "build/soak";
  std::string self_exe;  ///< citytwin-soak, for the load children
  std::string server_exe = "build/citytwin";
  std::string city = "data/demo.city";
  std::string access = "data/access/demo.yaml";
  double ingest_capacity = 0; ///< packs/s; 0: measured at start
  double api_capacity = 0;    ///< requests/s; 0: measured at start
  size_t viewer_capacity = 256; ///< the server's --max-viewers default
  size_t subscriptions = 10;    ///< webhook subscriptions, all loopback
};

/// Runs the soak (or overload run) and writes samples.csv, windows.csv,
/// report.md and soak.svg to `out_dir`. 0 when the server survived and
/// answered /health at the end; 1 otherwise.
int run_soak(const soak_options& options);

} // namespace citytwin::bench
