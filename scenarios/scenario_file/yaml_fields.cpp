// scenarios/scenario_file/yaml_fields.cpp
#include "scenarios/scenario_file/yaml_fields.hpp"

#include "scenarios/scenario_file/scenario_time.hpp"
#include "twin/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace citytwin::scenarios::detail {

namespace {

// Longest value echoed in a message: enough to recognise it, short enough
// that a paragraph pasted into the wrong key keeps the report readable.
constexpr size_t max_shown_length = 64;

std::string joined(const key_list& keys) {
  std::string result;
  for (auto key : keys) {
    if (!result.empty())
      result += ", ";
    result += key;
  }
  return result;
}

std::string range_text(double lo, double hi) {
  if (std::isinf(hi))
    return "at least " + twin::shortest(lo);
  return "in [" + twin::shortest(lo) + ", " + twin::shortest(hi) + "]";
}

} // namespace

size_t line_of(const YAML::Node& node) {
  // A missing key's node has no mark (and throws when asked for one).
  if (!node || node.Mark().is_null())
    return 0;
  return static_cast<size_t>(node.Mark().line) + 1;
}

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string{key} : path + "." + std::string{key};
}

std::string element(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::string shown(std::string_view value) {
  return twin::quoted(value, max_shown_length);
}

size_t estimated_depth(std::string_view text) {
  size_t result = 0;
  size_t flow = 0;
  std::vector<size_t> columns; // open block levels, by indentation
  for (auto line : twin::split(text, '\n')) {
    size_t col = line.find_first_not_of(' ');
    if (col == std::string_view::npos || line[col] == '#' || line[col] == '\r')
      continue;
    if (flow == 0) {
      // Each `- ` opens a level of its own, one column further in.
      std::vector<size_t> levels{col};
      while (line.substr(col).starts_with("- ")) {
        col = line.find_first_not_of(' ', col + 1);
        if (col == std::string_view::npos)
          break;
        levels.push_back(col);
      }
      while (!columns.empty() && columns.back() >= levels.front())
        columns.pop_back();
      columns.insert(columns.end(), levels.begin(), levels.end());
    }
    char quote = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quote != 0) {
        if (c == '\\' && quote == '"')
          ++i;
        else if (c == quote)
          quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '#' && (i == 0 || line[i - 1] == ' ')) {
        break;
      } else if (c == '[' || c == '{') {
        ++flow;
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
      result = std::max(result, columns.size() + flow);
    }
  }
  return result;
}

void yaml_fields::problem(const YAML::Node& at, const std::string& path,
                          const std::string& message) {
  problem_at(line_of(at), path, message);
}

void yaml_fields::problem_at(size_t line, const std::string& path,
                             const std::string& message) {
  problems_.add(line, path.empty() ? message : path + ": " + message);
}

bool yaml_fields::check_map(const YAML::Node& node, const std::string& path,
                            const key_list& allowed, const key_list& required) {
  if (!node.IsMap()) {
    problem(node, path, "expected a map with keys " + joined(allowed));
    return false;
  }
  std::map<std::string, size_t> seen;
  for (const auto& kv : node) {
    auto key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      problem(kv.first, path,
              "unknown key " + shown(key) + " (allowed: " + joined(allowed)
                  + ")");
    else if (auto [it, fresh] = seen.emplace(key, line_of(kv.first)); !fresh)
      problem(kv.first, path,
              "key '" + key + "' repeats line " + std::to_string(it->second));
  }
  for (auto key : required)
    if (!node[std::string{key}])
      problem(node, path, "missing key '" + std::string{key} + "'");
  return true;
}

std::vector<YAML::Node> yaml_fields::list(const YAML::Node& v,
                                          const std::string& path,
                                          size_t max_entries) {
  std::vector<YAML::Node> result;
  if (!v)
    return result;
  if (!v.IsSequence()) {
    problem(v, path, "must be a list");
    return result;
  }
  if (v.size() > max_entries) {
    problem(v, path,
            "has " + std::to_string(v.size()) + " entries, at most "
                + std::to_string(max_entries));
    return result;
  }
  for (const auto& entry : v)
    result.push_back(entry);
  return result;
}

std::optional<std::string> yaml_fields::text(const YAML::Node& v,
                                             const std::string& path,
                                             size_t max_bytes) {
  if (!v)
    return std::nullopt;
  if (!v.IsScalar()) {
    problem(v, path, "needs a single value");
    return std::nullopt;
  }
  if (v.Scalar().size() > max_bytes) {
    problem(v, path,
            "has " + std::to_string(v.Scalar().size()) + " bytes, at most "
                + std::to_string(max_bytes));
    return std::nullopt;
  }
  return v.Scalar();
}

std::optional<double> yaml_fields::number(const YAML::Node& v,
                                          const std::string& path, double lo,
                                          double hi) {
  // Longest number worth reading: 17 significant digits and an exponent.
  constexpr size_t max_number_bytes = 32;
  auto t = text(v, path, max_number_bytes);
  if (!t)
    return std::nullopt;
  double result = 0;
  auto status = twin::parse_yaml_number(*t, result);
  if (status == twin::yaml_number::not_finite) {
    problem(v, path, "must be a finite number, not " + shown(*t));
    return std::nullopt;
  }
  if (status == twin::yaml_number::not_a_number) {
    problem(v, path, "must be a number, not " + shown(*t));
    return std::nullopt;
  }
  if (result < lo || result > hi) {
    problem(v, path,
            "must be " + range_text(lo, hi) + ", not "
                + twin::shortest(result));
    return std::nullopt;
  }
  return result;
}

std::optional<uint64_t> yaml_fields::whole(const YAML::Node& v,
                                           const std::string& path, uint64_t lo,
                                           uint64_t hi) {
  // 2^64 has 20 digits.
  constexpr size_t max_whole_bytes = 24;
  auto t = text(v, path, max_whole_bytes);
  if (!t)
    return std::nullopt;
  uint64_t result = 0;
  if (!twin::parse_number(*t, result)) {
    problem(v, path, "must be a whole number, not " + shown(*t));
    return std::nullopt;
  }
  if (result < lo || result > hi) {
    problem(v, path,
            "must be a whole number in [" + std::to_string(lo) + ", "
                + std::to_string(hi) + "], not " + std::to_string(result));
    return std::nullopt;
  }
  return result;
}

std::optional<bool> yaml_fields::flag(const YAML::Node& v,
                                      const std::string& path) {
  constexpr size_t max_flag_bytes = 8;
  auto t = text(v, path, max_flag_bytes);
  if (!t)
    return std::nullopt;
  if (auto b = twin::parse_yaml_bool(*t))
    return b;
  problem(v, path, "must be true or false, not " + shown(*t));
  return std::nullopt;
}

std::optional<double> yaml_fields::duration(const YAML::Node& v,
                                            const std::string& path,
                                            double lo_s, double hi_s) {
  constexpr size_t max_duration_bytes = 32;
  auto t = text(v, path, max_duration_bytes);
  if (!t)
    return std::nullopt;
  auto result = parse_duration(*t);
  if (!result) {
    problem(v, path,
            "is not a duration: " + shown(*t)
                + " (such as 90s, 20min, 3h, 1h30min)");
    return std::nullopt;
  }
  if (*result < lo_s || *result > hi_s) {
    problem(v, path,
            "must be between " + format_offset(lo_s).substr(1) + " and "
                + format_offset(hi_s).substr(1) + ", not " + *t);
    return std::nullopt;
  }
  return result;
}

std::string format_offset(double seconds) {
  constexpr double s_per_hour = 3600;
  constexpr double s_per_min = 60;
  auto hours = std::floor(seconds / s_per_hour);
  auto rest = seconds - hours * s_per_hour;
  auto minutes = std::floor(rest / s_per_min);
  auto secs = rest - minutes * s_per_min;
  std::string result = "+";
  if (hours > 0)
    result += twin::shortest(hours) + "h";
  if (minutes > 0)
    result += twin::shortest(minutes) + "min";
  if (secs > 0 || result == "+")
    result += twin::shortest(secs) + "s";
  return result;
}

} // namespace citytwin::scenarios::detail
