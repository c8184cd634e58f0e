// scenarios/assignment/tntp_lexer.hpp
#pragma once

#include "twin/text.hpp"

#include "scenarios/assignment/parse_error.hpp"

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::scenarios::assignment::detail {

/// A TNTP file split into lines, with its `<METADATA>` block parsed.
///
/// The lexing rules follow notes/simulation.md §3: fields are separated by
/// any run of spaces and tabs, `;` ends a record but may be missing, and a
/// `~` opens a comment (the first one after the metadata is the column
/// header of net files).
struct tntp_text {
  /// A metadata value and the 1-based line that defined it.
  struct tag {
    std::string value;
    std::size_t line = 0;
  };

  std::string file;
  std::vector<std::string> lines;
  /// Tags by name without brackets, upper case (e.g. "NUMBER OF LINKS").
  std::map<std::string, tag> tags;
  /// Index into `lines` of the first line after the metadata block.
  std::size_t body_begin = 0;
};

/// Reads `path` and parses its metadata block, if the file starts with one.
/// A block without `<END OF METADATA>` is reported as a truncated file.
result<tntp_text> read_tntp_text(const std::filesystem::path& path);

/// Splits a record into fields at spaces, tabs and `;`.
std::vector<std::string_view> split_fields(std::string_view text);

/// Removes leading and trailing blanks (spaces, tabs, CR): the twin's own.
using twin::trim;

/// Parses a whole field as a finite real; nullopt if anything is left over.
std::optional<double> to_real(std::string_view field);

/// Parses a whole field as an integer (reals with a zero fraction, such as
/// `12.0`, are accepted because some exporters write ids that way).
std::optional<long long> to_integer(std::string_view field);

/// Reads an integer-valued tag, appending an error if it is missing or not an
/// integer and `required` is set.
std::optional<long long> integer_tag(const tntp_text& text,
                                     const std::string& name, bool required,
                                     std::vector<parse_error>& errors);

} // namespace citytwin::scenarios::assignment::detail
