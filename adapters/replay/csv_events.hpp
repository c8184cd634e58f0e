// adapters/replay/csv_events.hpp
#pragma once

#include "adapters/replay/dataset.hpp"
#include "twin/reading.hpp"

#include <caf/expected.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace citytwin::replay {

/// One message to publish: a SenML pack for one sensor and time.
struct event {
  twin::time_ms time = 0;
  std::string topic;
  std::string payload;
};

/// What loading a recording found besides good rows; the quirks of real
/// data are counted, never fatal.
struct load_report {
  size_t files = 0;
  size_t rows = 0;          ///< data rows read (headers excluded)
  size_t repeated_headers = 0;
  size_t bad_time = 0;      ///< rows whose time does not parse
  size_t bad_columns = 0;   ///< rows with too few columns
  size_t empty_rows = 0;    ///< rows without any usable value
  size_t empty_fields = 0;  ///< fields left out for an empty cell
  size_t bad_numbers = 0;   ///< fields left out for a non-number cell
};

/// Expands `pattern` (`*`, `?` within one level) below `root`, sorted.
std::vector<std::string> glob(const std::string& root,
                              const std::string& pattern);

/// Splits one CSV line on `sep`, honouring double quotes; a trailing CR
/// is dropped.
std::vector<std::string> split_csv(std::string_view line, char sep);

/// Reads every file of `ds` below `data_dir` and returns one event per row,
/// sorted by time (rows of equal time keep file order, so a replay is
/// deterministic). errc::io_failure if no file matches or one cannot be
/// read; errc::invalid_config if a file lacks a described column.
caf::expected<std::vector<event>>
load_events(const dataset& ds, const std::string& data_dir,
            load_report& report);

} // namespace citytwin::replay
