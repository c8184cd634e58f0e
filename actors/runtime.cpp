// actors/runtime.cpp
#include "actors/runtime.hpp"

#include "actors/system_config.hpp"
#include "twin/error.hpp"

#include <algorithm>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace citytwin::actors {

namespace {

constexpr size_t max_threads = 1024;

} // namespace

caf::error runtime_settings::validate() const {
  if (scheduler != "sharing" && scheduler != "stealing")
    return caf::make_error(twin::errc::invalid_config,
                           "scheduler must be 'sharing' or 'stealing', got '"
                               + scheduler + "'");
  if (threads > max_threads)
    return caf::make_error(twin::errc::invalid_config,
                           "threads must be at most "
                               + std::to_string(max_threads));
  return caf::none;
}

caf::error configure(caf::actor_system_config& cfg,
                     const runtime_settings& settings) {
  if (auto err = settings.validate())
    return err;
  register_types(cfg);
  cfg.set("scheduler.policy", caf::atom_from_string(settings.scheduler));
  // CAF 0.17 starts at least four workers; on a two-core machine the extra
  // two only add contention on the shared queue.
  auto threads = settings.threads > 0
                     ? settings.threads
                     : std::max<size_t>(1, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", threads);
  return caf::none;
}

size_t resident_memory_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  size_t pages_total = 0;
  size_t pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident))
    return 0;
  return pages_resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

} // namespace citytwin::actors
