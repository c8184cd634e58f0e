// scenarios/sumo_process.hpp
#pragma once

// Running Debian's `sumo` as a child process and reading what it wrote,
// for the checks of the dynamic model against SUMO (sumo_check,
// concert_check).

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <sys/resource.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::scenarios {

/// User + system CPU seconds of a resource usage.
double cpu_seconds_of(const rusage& usage);

/// Runs `binary` with `args` (without argv[0]), SUMO_HOME set to Debian's,
/// stdout discarded; its CPU seconds. Errors: it could not start or did
/// not exit with 0 (see `log_hint`, named in the message).
caf::expected<double> run_sumo(const std::string& binary,
                               const std::vector<std::string>& args,
                               const std::string& log_hint);

/// Calls `f(id, duration_s)` for every `<tripinfo>` of a tripinfo file
/// (one per vehicle that arrived).
caf::error read_tripinfo(
  const std::string& path,
  const std::function<void(std::string_view, double)>& f);

} // namespace citytwin::scenarios
