// actors/runtime_options.cpp
#include "actors/runtime_options.hpp"

#include <CLI/CLI.hpp>

namespace citytwin::actors {

void add_runtime_options(CLI::App& cmd, runtime_options& opts) {
  cmd.add_option("--scheduler", opts.scheduler,
                 "CAF scheduler policy: sharing or stealing (see "
                 "BENCHMARKS.md)")
      ->check(CLI::IsMember({"sharing", "stealing"}))
      ->capture_default_str();
  cmd.add_option("--threads", opts.threads,
                 "Scheduler worker threads (0: one per core)")
      ->capture_default_str();
  cmd.add_option("--shards", opts.shards,
                 "Twin shards, each a router and a publisher (0: one per "
                 "worker)")
      ->capture_default_str();
}

} // namespace citytwin::actors
