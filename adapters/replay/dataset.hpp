// adapters/replay/dataset.hpp
#pragma once

#include "adapters/replay/time_zone.hpp"

#include <caf/expected.hpp>

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::replay {

/// One published quantity of a row: a SenML record `n`/`u`/`v`, the value
/// being a column or a sum and difference of columns
/// (`totalspaces-vehiclecount`).
struct field_spec {
  std::string name; ///< SenML name after the base name
  std::string unit; ///< SenML unit; empty: none
  /// Columns with their signs, e.g. {+totalspaces, -vehiclecount}.
  std::vector<std::pair<int, std::string>> terms;
};

/// How to read one recorded CSV dataset and publish it as SenML over MQTT.
/// Read from a small text file (data/datasets/*.conf, format in
/// data/datasets/README.md) so that a new CSV layout needs a description,
/// not a code change.
struct dataset {
  std::string name;
  /// Glob patterns relative to the data directory; `*` and `?` match
  /// within one path level.
  std::vector<std::string> files;
  char separator = ',';
  std::string time_column;
  /// The zone of times written without one (the recordings have none): a
  /// fixed offset or a POSIX TZ rule with daylight saving time.
  time_zone zone;
  std::string sensor_column; ///< empty: `sensor_id` for all rows
  std::string sensor_id;
  std::string topic;     ///< with `{sensor}`
  std::string base_name; ///< with `{sensor}`
  std::vector<field_spec> fields;
};

/// Parses a description; reports every bad line (errc::invalid_config).
caf::expected<dataset> read_dataset(std::istream& in,
                                    std::string_view file_name);

/// Opens and parses a description file.
caf::expected<dataset> load_dataset(const std::string& path);

/// Replaces every `{sensor}` in `pattern`.
std::string expand(std::string_view pattern, std::string_view sensor);

} // namespace citytwin::replay
