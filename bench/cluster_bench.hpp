// bench/cluster_bench.hpp
#pragma once

// The goals of issue 15, on real processes: `citytwin serve --cluster`
// nodes on 127.0.0.1 (children of the bench), fed and watched by this
// process through CAF's network layer as any other node would be.

#include <cstddef>
#include <string>
#include <vector>

namespace citytwin::bench {

struct cluster_settings {
  std::string exe;     ///< the citytwin binary
  std::string workdir; ///< city, cluster files and logs
  /// The city: generated like the one-state figure's (1M entities).
  size_t segments = 200'000;
  size_t lamps = 600'000;
  size_t bins = 100'000;
  size_t sensors = 100'000;
  size_t readings = 300'000;               ///< per throughput run
  std::vector<size_t> batches{1, 64, 1024}; ///< readings per message
  double latency_rate = 2000;              ///< readings/s for the p99
  double latency_seconds = 5;
  double query_seconds = 5;
  std::string self_exe; ///< citytwin-bench, for its viewer-clients child
};

struct cluster_figure {
  std::string figure;
  std::string goal;
  std::string measured;
};

std::vector<cluster_figure> run_cluster(const cluster_settings& s);

} // namespace citytwin::bench
