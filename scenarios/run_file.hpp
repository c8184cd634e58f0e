// scenarios/run_file.hpp
#pragma once

#include "scenarios/run_summary.hpp"
#include "scenarios/scenario_file/scenario_spec.hpp"
#include "scenarios/scenario_setup.hpp"

#include <caf/error.hpp>

#include <string>

namespace citytwin::scenarios {

/// Writes one run as an HDF5 file (layout: scenarios/README.md, "Run
/// files"): the scenario's identity as attributes, per-link series
/// [interval][link], one row per trip, the congestion episodes. Written
/// to `path.tmp` and renamed, so a reader never sees half a file.
caf::error write_run_file(const std::string& path, const scenario_spec& spec,
                          const scenario_setup& setup,
                          const dynamic::model_result& result,
                          const run_summary& summary);

} // namespace citytwin::scenarios
