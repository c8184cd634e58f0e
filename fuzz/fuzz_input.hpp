// fuzz/fuzz_input.hpp: what every fuzz target shares: the input as text,
// split into fields, and a guard for the JSON the harness parses itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::fuzz {

/// The fuzz input as text (bytes, not necessarily UTF-8 or NUL-free).
inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Splits `text` at every `separator`, into at most `max_parts` parts (the
/// last part keeps the rest). Seeds are written with the same separator,
/// so the fuzzer learns it from them and from the dictionaries.
inline std::vector<std::string_view>
split(std::string_view text, std::string_view separator, size_t max_parts) {
  std::vector<std::string_view> result;
  while (result.size() + 1 < max_parts) {
    auto at = text.find(separator);
    if (at == std::string_view::npos)
      break;
    result.push_back(text.substr(0, at));
    text.remove_prefix(at + separator.size());
  }
  result.push_back(text);
  return result;
}

/// The nesting depth of JSON-like text, counting brackets outside strings.
/// Targets that parse JSON themselves (with nlohmann's unbounded DOM
/// parser) before calling a function that takes a DOM skip deep inputs:
/// the server reads such JSON through twin::read_json, which refuses them,
/// so a stack overflow there would be the harness's own, not a finding.
inline size_t json_depth(std::string_view text) {
  size_t depth = 0;
  size_t result = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      result = std::max(result, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return result;
}

/// The depth the harnesses accept for their own parsing (twin::read_json's
/// default is 32; a little more lets the fuzzer probe the code past it).
constexpr size_t max_harness_depth = 64;

} // namespace citytwin::fuzz

namespace citytwin::fuzz {

/// The separator of multi-part inputs (query parameters, the files of one
/// network, several requests): a line of its own.
constexpr std::string_view part_separator = "\n%%\n";

} // namespace citytwin::fuzz
