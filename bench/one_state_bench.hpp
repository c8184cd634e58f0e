// bench/one_state_bench.hpp
#pragma once

// Issue 11's goals, on the real server: a generated city of about a
// million entities served with and without the broker (memory, boot),
// then the NGSI-LD API under wrk, a load generator in its own process.

#include <string>
#include <vector>

namespace citytwin::bench {

struct one_state_settings {
  std::string exe;     ///< build/citytwin
  std::string workdir; ///< where the city and access files go
  size_t segments = 200'000;
  size_t lamps = 600'000;
  size_t bins = 100'000;
  size_t sensors = 100'000;
  double seconds = 5; ///< per wrk run
};

/// One figure, ready for BENCHMARKS.md.
struct one_state_figure {
  std::string figure;
  std::string goal;
  std::string measured;
};

/// Runs everything; a figure that could not be measured says why.
std::vector<one_state_figure> run_one_state(const one_state_settings& s);

/// What Debian's `wrk --latency` measured, and the CPU it used itself.
struct wrk_result {
  bool ok = false;
  double requests_per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double non_2xx = 0;
  double client_cpu_s = 0;
  std::string error;
};

/// Runs wrk in its own process against `url` (with the demo admin's
/// bearer token, which servers without --access ignore).
wrk_result run_wrk(const std::string& url, int threads, int connections,
                   double seconds);

} // namespace citytwin::bench
