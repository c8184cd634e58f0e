// bench/fork_bench.hpp
#pragma once

#include "bench/report.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace citytwin::bench {

/// Issue 14's fork figures: forking a twin of about `entities` entities
/// (the road state a what-if run takes, and every entity) while a pacing
/// thread offers `rate` readings/s to its routers; the fork's wall time
/// (min / median / max of `forks` forks of each) and the readings/s
/// applied during the forks against before them.
std::vector<row> run_fork_benchmarks(size_t entities = 1'000'000,
                                     double rate = 100'000, int forks = 3);

/// Two what-if runs of `scenario_file` submitted together to the scenario
/// service of a twin of `city_file` that takes `rate` readings/s: how
/// long they take and the readings/s applied meanwhile against before.
std::vector<row> run_side_by_side_benchmark(const std::string& city_file,
                                            const std::string& scenario_file,
                                            double rate = 20'000);

} // namespace citytwin::bench
