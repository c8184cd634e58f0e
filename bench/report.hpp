// bench/report.hpp
#pragma once

#include <string>
#include <vector>

namespace citytwin::bench {

/// One line of BENCHMARKS.md: a figure, its goal, what we measured.
struct row {
  std::string section;
  std::string figure;
  std::string goal;
  std::string measured;
};

/// Describes this machine in one line: CPU model, cores, memory.
std::string machine_description();

/// `x` with `digits` decimals, as the report's figures are written.
std::string fixed(double x, int digits);

/// Today's date as YYYY-MM-DD (UTC).
std::string today();

/// Writes BENCHMARKS.md: a table per section plus the notes, with the date
/// and machine on every row.
void write_report(const std::string& path, const std::vector<row>& rows,
                  const std::vector<std::string>& notes);

} // namespace citytwin::bench
