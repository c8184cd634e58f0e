// scenarios/scenario_file/yaml_fields.hpp
#pragma once

#include "twin/problem_list.hpp"

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::scenarios::detail {

using key_list = std::vector<std::string_view>;

/// The 1-based line of a node; 0 for a missing one.
size_t line_of(const YAML::Node& node);

/// `path.key`, or `key` at the top.
std::string child(const std::string& path, std::string_view key);

/// `path[index]`.
std::string element(const std::string& path, size_t index);

/// A value quoted for a message, cut to a readable length, on one line.
std::string shown(std::string_view value);

/// The deepest nesting of block indentation plus flow brackets in a YAML
/// text, found without parsing it: a guard that runs before yaml-cpp
/// allocates anything. It may overestimate (a block scalar's indented
/// lines count), never underestimate by more than the flow depth inside
/// quotes, which yaml-cpp's own depth guard then catches.
size_t estimated_depth(std::string_view text);

/// Typed reads of YAML values. Each reports what is wrong as
/// `file:line: path: message` and returns nullopt; a missing value (an
/// undefined node) gives nullopt without a report, for optional keys.
class yaml_fields {
public:
  explicit yaml_fields(twin::problem_list& problems) : problems_(problems) {
  }

  void problem(const YAML::Node& at, const std::string& path,
               const std::string& message);

  void problem_at(size_t line, const std::string& path,
                  const std::string& message);

  /// Checks that `node` is a map with only `allowed` keys, each once, and
  /// every `required` one; false if it is no map at all.
  bool check_map(const YAML::Node& node, const std::string& path,
                 const key_list& allowed, const key_list& required);

  /// The entries of a list, at most `max_entries`; reports a value that is
  /// not a list and a list too long (whose entries are then not read).
  std::vector<YAML::Node> list(const YAML::Node& v, const std::string& path,
                               size_t max_entries);

  std::optional<std::string> text(const YAML::Node& v, const std::string& path,
                                  size_t max_bytes);

  /// A finite number in [lo, hi].
  std::optional<double> number(const YAML::Node& v, const std::string& path,
                               double lo, double hi);

  /// A whole number in [lo, hi].
  std::optional<uint64_t> whole(const YAML::Node& v, const std::string& path,
                                uint64_t lo, uint64_t hi);

  std::optional<bool> flag(const YAML::Node& v, const std::string& path);

  /// A duration (`90s`, `20min`, `3h`, `1h30min`) in [lo_s, hi_s] seconds.
  std::optional<double> duration(const YAML::Node& v, const std::string& path,
                                 double lo_s, double hi_s);

private:
  twin::problem_list& problems_;
};

/// A number of seconds as the file would write it: `+1h30min`, `+90s`.
std::string format_offset(double seconds);

} // namespace citytwin::scenarios::detail
