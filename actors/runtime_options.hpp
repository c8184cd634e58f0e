// actors/runtime_options.hpp
#pragma once

// The command-line options of every subcommand that runs a twin.

#include "twin/cli_fwd.hpp"

#include <cstddef>
#include <string>

namespace citytwin::actors {

/// Options shared by every command that runs an actor system.
struct runtime_options {
  std::string scheduler = "stealing"; ///< CAF scheduler policy, see README
  size_t threads = 0;                 ///< scheduler workers; 0 = all cores
  size_t shards = 0;                  ///< twin shards; 0 = one per worker
};

/// Adds `--scheduler`, `--threads` and `--shards` to a subcommand.
void add_runtime_options(CLI::App& cmd, runtime_options& opts);

} // namespace citytwin::actors
