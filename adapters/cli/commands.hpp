// adapters/cli/commands.hpp
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace citytwin::cli {

/// Options shared by every command that runs an actor system.
struct runtime_options {
  std::string scheduler = "stealing"; ///< CAF scheduler policy, see README
  size_t threads = 0;                ///< scheduler workers; 0 = all cores
  size_t shards = 0;                 ///< twin shards; 0 = one per worker
};

/// Adds `--scheduler`, `--threads` and `--shards` to a subcommand.
void add_runtime_options(CLI::App& cmd, runtime_options& opts);

/// Each `add_*` registers one subcommand with its options and callback.
void add_assign(CLI::App& app);
void add_generate_city(CLI::App& app);
void add_import_network(CLI::App& app);
void add_inspect(CLI::App& app);
void add_replay(CLI::App& app);
void add_serve(CLI::App& app);
void add_token(CLI::App& app);
void add_watch(CLI::App& app);

} // namespace citytwin::cli
