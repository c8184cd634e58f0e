// adapters/archive/audit_trail.hpp
#pragma once

// What was taken out of or deleted from the archive folder, and by whom:
// `<root>/audit.log`, one JSON line per `citytwin export`, `erase`,
// `snapshot` and `restore`, refusals included. It sits beside the tenants'
// folders, not in one, so the record of an erase outlives what it erased.
// Format: README.md, "Ownership: export and erase".

#include <caf/error.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace citytwin::archive {

/// One line of the audit log.
struct audit_record {
  std::string action; ///< export, erase, snapshot, restore
  std::string tenant;
  std::string format;        ///< csv, geojson, hdf5, tar; empty for erase
  std::string input;         ///< the snapshot a restore read; usually empty
  std::string output;        ///< the file written, or the folder restored
  std::string result = "ok"; ///< ok, `refused: why`, `failed: why`
  uint64_t bytes = 0;        ///< written (export, snapshot, restore) or deleted
  uint64_t samples = 0;      ///< CSV rows, GeoJSON values; 0 when not counted
};

/// Who runs the command: `$SUDO_USER` (the person behind sudo), else
/// `$USER`, else the numeric uid.
std::string audit_user();

/// The record as one JSON line with `time` (now, UTC) and `by` added,
/// every text cut to a bounded length, ending in a newline.
std::string audit_line(const audit_record& x);

/// Appends `x` to `<root>/audit.log` (created when missing) in one
/// O_APPEND write, fsynced. errc::io_failure when `root` does not exist:
/// the log never creates an archive folder of its own.
caf::error append_audit(const std::filesystem::path& root,
                        const audit_record& x);

/// `ok`; `refused: <error>` when the caller asked for something wrong
/// (errc::invalid_config, invalid_city, in_use); `failed: <error>`
/// otherwise (I/O, a damaged file).
std::string audit_result(const caf::error& err);

/// Ends an audited command: sets `x.result` from `err`, appends `x` to
/// `<root>/audit.log` and reports on stderr, as `<command>: ...`, `err` and
/// a log that could not be written. The exit code: 2 when `err`, else 1
/// when the log could not be written, else 0.
int finish_audited(std::string_view command, const std::filesystem::path& root,
                   audit_record& x, const caf::error& err);

} // namespace citytwin::archive
