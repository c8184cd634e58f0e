// scenarios/assignment/tntp_lexer.cpp
#include "scenarios/assignment/tntp_lexer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>

namespace citytwin::scenarios::assignment::detail {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string upper(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), [](char c) {
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  });
  return result;
}

/// Parses the metadata block starting at the first non-blank line. Returns
/// false (after adding an error) if the block never ends.
bool parse_metadata(tntp_text& text, std::vector<parse_error>& errors) {
  std::size_t i = 0;
  while (i < text.lines.size() && trim(text.lines[i]).empty())
    ++i;
  if (i == text.lines.size() || trim(text.lines[i]).front() != '<')
    return true; // No metadata block (flow and node files).
  for (; i < text.lines.size(); ++i) {
    auto line = trim(text.lines[i]);
    if (line.empty())
      continue;
    if (line.front() != '<')
      break;
    auto close = line.find('>');
    if (close == std::string_view::npos) {
      errors.push_back({text.file, i + 1, "metadata tag without '>'"});
      continue;
    }
    auto name = upper(trim(line.substr(1, close - 1)));
    if (name == "END OF METADATA") {
      text.body_begin = i + 1;
      return true;
    }
    text.tags[name] = {std::string(trim(line.substr(close + 1))), i + 1};
  }
  errors.push_back({text.file, i,
                    "metadata block not closed by <END OF METADATA> "
                    "(truncated file?)"});
  return false;
}

} // namespace

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> result;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (is_blank(text[i]) || text[i] == ';'))
      ++i;
    auto start = i;
    while (i < text.size() && !is_blank(text[i]) && text[i] != ';')
      ++i;
    if (i > start)
      result.push_back(text.substr(start, i - start));
  }
  return result;
}

std::optional<double> to_real(std::string_view field) {
  field = trim(field);
  if (!field.empty() && field.front() == '+')
    field.remove_prefix(1);
  double value = 0;
  if (!twin::parse_number(field, value))
    return std::nullopt;
  return value;
}

std::optional<long long> to_integer(std::string_view field) {
  auto value = to_real(field);
  if (!value || std::floor(*value) != *value || std::fabs(*value) > 1e15)
    return std::nullopt;
  return static_cast<long long>(*value);
}

std::optional<long long> integer_tag(const tntp_text& text,
                                     const std::string& name, bool required,
                                     std::vector<parse_error>& errors) {
  auto found = text.tags.find(name);
  if (found == text.tags.end()) {
    if (required)
      errors.push_back({text.file, 0, "missing metadata tag <" + name + ">"});
    return std::nullopt;
  }
  auto value = to_integer(found->second.value);
  if (!value)
    errors.push_back({text.file, found->second.line,
                      "<" + name + "> is not an integer: '"
                        + found->second.value + "'"});
  return value;
}

result<tntp_text> read_tntp_text(const std::filesystem::path& path) {
  tntp_text text;
  text.file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return parse_error{text.file, 0, "cannot open file"};
  std::string line;
  while (std::getline(in, line))
    text.lines.push_back(std::move(line));
  if (in.bad())
    return parse_error{text.file, 0, "read error"};
  std::vector<parse_error> errors;
  if (!parse_metadata(text, errors))
    return errors;
  if (!errors.empty())
    return errors;
  return text;
}

} // namespace citytwin::scenarios::assignment::detail
