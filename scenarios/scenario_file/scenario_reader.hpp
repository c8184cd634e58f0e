// scenarios/scenario_file/scenario_reader.hpp
#pragma once

#include "scenarios/scenario_file/scenario_spec.hpp"
#include "twin/city.hpp"

#include <caf/expected.hpp>

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>

namespace citytwin::scenarios {

/// The largest scenario file read, checked before anything is parsed.
constexpr size_t max_scenario_file_bytes = size_t{1} << 20; // 1 MiB

/// The most entries of any one list (events, closures, parking areas of an
/// event, segments of a closure, ...), checked before its entries are read.
constexpr size_t max_scenario_list_entries = 10000;

/// The deepest nesting of maps and lists; the format itself needs 5.
constexpr size_t max_scenario_depth = 16;

/// Reads a scenario file (YAML, data/scenarios/README.md) and resolves it
/// against `city`. Either the whole scenario is valid, or the result is
/// errc::invalid_config whose context lists every problem found, one
/// `file:line: key.path: message` per line. Allowed oddities (more cars
/// than parking spaces) come back in `scenario_spec::warnings`.
/// Relative `od_file` paths are taken relative to `file_name`'s folder;
/// without `may_name_files` (a scenario sent over the network) naming a
/// file is a problem and the file system is not looked at.
caf::expected<scenario_spec> read_scenario(std::istream& in,
                                           std::string_view file_name,
                                           const twin::city& city,
                                           bool may_name_files = true);

/// Reads a scenario file from disk (see `read_scenario`); errc::io_failure
/// if it cannot be read, errc::invalid_config if it is larger than
/// `max_scenario_file_bytes`.
caf::expected<scenario_spec> load_scenario(const std::string& path,
                                           const twin::city& city);

} // namespace citytwin::scenarios
