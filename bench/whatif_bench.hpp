// bench/whatif_bench.hpp
#pragma once

#include "bench/report.hpp"

#include <vector>

namespace citytwin::bench {

/// Issue 14's figures: the dynamic model against SUMO meso with junction
/// control on the Bologna scenarios (same run), and a 3-hour event with
/// 100,000 trips on a generated city of 30,000 segments on two scenario
/// workers (alone without `against_sumo`). Rows for what could not run
/// say why.
std::vector<row> run_whatif_benchmarks(bool against_sumo = true);

} // namespace citytwin::bench
