// adapters/archive/export_command.hpp
#pragma once

// `citytwin export`: everything a tenant has, for its admin to take away
// (README.md, "Ownership: export and erase"). Audited (audit_trail.hpp).

#include "twin/cli_fwd.hpp"

#include <filesystem>
#include <string>

namespace citytwin::archive {

struct export_options {
  std::filesystem::path archive_root; ///< `serve --archive`
  std::string tenant;
  std::filesystem::path city_file;
  std::filesystem::path rules_file; ///< optional, hdf5 only
  std::string format;               ///< csv, geojson or hdf5
  std::filesystem::path output;     ///< never overwritten
  std::string from; ///< ISO 8601, optional; csv only: time >= from
  std::string to;   ///< ISO 8601, optional; csv only: time < to
};

/// Runs an export: `csv` every sample (csv_export.hpp), `geojson` every
/// entity of the city with its newest values (geojson_export.hpp), `hdf5`
/// the archive's files as they are, in a snapshot (tenant_bundle.hpp).
/// Reads the archive without changing it, so it may run beside the
/// server. Prints one summary line; the exit code of `finish_audited`.
int run_export(const export_options& opts);

void add_export_command(CLI::App& app);

} // namespace citytwin::archive
