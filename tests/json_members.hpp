// tests/json_members.hpp: the member names of a JSON object's text, in
// the order written. nlohmann keeps members sorted when it parses, so a
// parsed comparison alone would hide text written in another order.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace citytwin::test {

inline std::vector<std::string> top_level_members(std::string_view text) {
  std::vector<std::string> result;
  size_t depth = 0;
  bool in_string = false;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (in_string) {
      if (ch == '\\' && i + 1 < text.size())
        current += text[++i];
      else if (ch == '"')
        in_string = false;
      else
        current += ch;
      continue;
    }
    if (ch == '"') {
      in_string = true;
      current.clear();
    } else if (ch == '{' || ch == '[') {
      ++depth;
    } else if (ch == '}' || ch == ']') {
      --depth;
    } else if (ch == ':' && depth == 1) {
      result.push_back(current);
    }
  }
  return result;
}

/// The member names of a parsed object, in nlohmann's (name) order.
inline std::vector<std::string> member_names(const nlohmann::json& object) {
  std::vector<std::string> result;
  for (const auto& [name, value] : object.items())
    result.push_back(name);
  return result;
}

} // namespace citytwin::test
