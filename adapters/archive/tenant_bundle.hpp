// adapters/archive/tenant_bundle.hpp
#pragma once

#include <caf/expected.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace citytwin::archive {

/// What moves a city to another machine: its archive (segments,
/// latest.bin, the journal, space.log and created.log), its city file and
/// its rules, in one file.
struct bundle_options {
  std::filesystem::path archive_root; ///< `serve --archive` of the source
  std::string tenant;
  std::filesystem::path city_file;
  std::filesystem::path rules_file; ///< optional
  std::filesystem::path output;
};

struct bundle_report {
  std::string tenant;
  uint64_t files = 0;
  uint64_t bytes = 0;
  /// Where a restore put the city file (serve it with `--archive`).
  std::filesystem::path city_file;
};

/// Writes a tenant's snapshot to `opts.output` (temporary file, then
/// renamed). A POSIX tar (ustar) file, so `tar` lists and unpacks it too:
/// `citytwin-snapshot/manifest.json`, `city.city`, `rules.yaml`, and
/// `archive/` as the archive folder holds it (README.md, "Moving a
/// city"). Safe while the server runs: the journal is copied first, then
/// latest.bin, then the segments, so whatever a segment published
/// meanwhile holds is in the copy twice rather than not at all; a file
/// that vanishes meanwhile (the journal releasing it) starts the copy
/// again, at most three times.
caf::expected<bundle_report> write_bundle(const bundle_options& opts);

/// Unpacks a snapshot into `archive_root/<tenant>` (never over an existing
/// folder: errc::invalid_config), checking every header, path and size
/// before it writes: a damaged or foreign file is errc::corrupt_file and
/// leaves nothing behind. The city file lands in the tenant's folder.
caf::expected<bundle_report>
read_bundle(const std::filesystem::path& input,
            const std::filesystem::path& archive_root);

} // namespace citytwin::archive
