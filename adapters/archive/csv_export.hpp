// adapters/archive/csv_export.hpp
#pragma once

#include "adapters/archive/archive_view.hpp"
#include "adapters/archive/export_report.hpp"

#include <caf/expected.hpp>

#include <filesystem>
#include <limits>

namespace citytwin::archive {

/// Writes every sample of `view` with `from <= time < to` as CSV
/// (RFC 4180) to `output`: a header line `entity,attribute,time,value,unit`,
/// then one row per sample, streams in `view.streams()` order and each in
/// time order; times in ISO 8601 UTC with milliseconds, values in the
/// shortest form that reads back to the same double. Streamed: a stream is
/// read piece by piece (`archive_view::pieces`), never the whole history
/// at once. Written to `output` + ".tmp", fsynced, then renamed, so
/// `output` is whole or absent.
caf::expected<export_report>
write_csv(const archive_view& view, const std::filesystem::path& output,
          twin::time_ms from = std::numeric_limits<twin::time_ms>::min(),
          twin::time_ms to = std::numeric_limits<twin::time_ms>::max());

} // namespace citytwin::archive
