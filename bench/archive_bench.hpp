// bench/archive_bench.hpp
#pragma once

// Issue 13's goals for the archive's segment files: appending (encode,
// compress, write_segment) at >= 1M samples/s; <= 2 bytes per sample on
// the recorded datasets; one day of one stream at 1 s read in <= 5 ms.

#include <cstddef>
#include <string>
#include <vector>

namespace citytwin::bench {

struct archive_settings {
  std::string project_data; ///< data/, for data/datasets/*.conf
  std::string shared_data;  ///< ../shared/data, for streams/
  std::string workdir;      ///< where segments are written (emptied)
  size_t streams = 10'000;  ///< of the append figure
  size_t samples = 1'000;   ///< per stream, 1 s apart
  size_t runs = 3;          ///< of the append figure (median)
  size_t day_reads = 50;    ///< of the one-day read (median)
};

/// One figure, ready for BENCHMARKS.md.
struct archive_figure {
  std::string figure;
  std::string goal;
  std::string measured;
};

/// Runs everything; a figure that could not be measured says why.
std::vector<archive_figure> run_archive(const archive_settings& s);

} // namespace citytwin::bench
