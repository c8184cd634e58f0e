// actors/runtime.hpp
#pragma once

#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>

#include <cstddef>
#include <string>

namespace citytwin::actors {

/// How the actor system runs: the scheduler policy and its threads.
struct runtime_settings {
  /// `stealing` (CAF's default) or `sharing` (one shared job queue). The
  /// benchmark (`make bench`) measures both: with one worker per core,
  /// work stealing applies the most readings per second (BENCHMARKS.md).
  std::string scheduler = "stealing";
  /// Scheduler worker threads; 0 = one per core.
  size_t threads = 0;

  caf::error validate() const;
};

/// Registers citytwin's types and applies the settings to a configuration;
/// errc::invalid_config for an unknown policy.
caf::error configure(caf::actor_system_config& cfg,
                     const runtime_settings& settings);

/// Resident memory of this process in bytes (Linux /proc), 0 if unknown.
size_t resident_memory_bytes();

} // namespace citytwin::actors
