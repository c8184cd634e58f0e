// bench/rules_bench.hpp
#pragma once

// Issue 12's goal: 10,000 active rules over the 1M-entity benchmark city
// at 100,000 readings/s: the readings/s sustained, with and without the
// rules in the same run, and the latency from a reading that triggers a
// rule to the actuator's state change (the lamp's delta).

#include <cstddef>
#include <string>
#include <vector>

namespace citytwin::bench {

struct rules_settings {
  size_t entities = 1'000'000;
  size_t rules = 10'000;
  double rate = 100'000;  ///< readings offered per second
  double seconds = 10;    ///< of load per run
  double trigger_share = 0.01; ///< of the readings, flows that flip a rule
  size_t runs = 3; ///< runs with rules (min / median / max)
  size_t aggregates = 1000; ///< windowed aggregates in the aggregate run
};

struct rules_result {
  std::string skipped;
  size_t rules = 0, instances = 0;
  double parse_s = 0, bind_s = 0;
  double offered = 0; ///< readings/s actually sent
  double sustained_without = 0;       ///< applied per s
  std::vector<double> sustained_with; ///< per run with rules
  double drain_with_s = 0, drain_without_s = 0; ///< backlog after the load
  size_t triggers = 0, actuations = 0; ///< over all runs with rules
  std::vector<double> p50_ms, p99_ms, max_ms; ///< per run
  /// CPU seconds (process) per million readings applied, without rules
  /// and with `aggregates` windowed aggregates, and their sustained rate.
  double cpu_per_m_without = 0, cpu_per_m_aggregates = 0;
  double sustained_aggregates = 0, drain_aggregates_s = 0;
  size_t num_aggregates = 0;
};

rules_result run_rules(const rules_settings& s);

} // namespace citytwin::bench
