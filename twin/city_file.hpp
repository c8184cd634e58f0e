// twin/city_file.hpp
#pragma once

#include "twin/city.hpp"

#include <caf/expected.hpp>

#include <iosfwd>
#include <string>
#include <string_view>

namespace citytwin::twin {

/// The city file format version this build reads and writes. The format is
/// specified in data/README.md; a reader rejects any other version.
constexpr int city_file_version = 1;

/// Reads a city in the citytwin text format. Either the whole city loads,
/// or the result is errc::invalid_city whose context lists every problem
/// found, one `file:line: message` per line; nothing is half-loaded.
caf::expected<city> read_city(std::istream& in, std::string_view file_name);

/// Reads a city file from disk (see `read_city`); errc::io_failure if the
/// file cannot be opened.
caf::expected<city> load_city(const std::string& path);

/// Writes a city in the citytwin text format. Output is a pure function of
/// the city, so equal cities produce byte-identical files.
void write_city(std::ostream& out, const city& c);

/// Writes a city file to disk; errc::io_failure on failure.
caf::error save_city(const std::string& path, const city& c);

} // namespace citytwin::twin
