// adapters/replay/dataset.cpp
#include "adapters/replay/dataset.hpp"

#include "twin/error.hpp"
#include "twin/text.hpp"

#include <filesystem>
#include <fstream>
#include <istream>

namespace citytwin::replay {

namespace {

// `a-b+c` into signed column names.
std::vector<std::pair<int, std::string>> parse_terms(std::string_view expr) {
  std::vector<std::pair<int, std::string>> result;
  int sign = 1;
  size_t start = 0;
  for (size_t i = 0; i <= expr.size(); ++i) {
    if (i < expr.size() && expr[i] != '+' && expr[i] != '-')
      continue;
    auto column = twin::trim(expr.substr(start, i - start));
    if (column.empty())
      return {};
    result.emplace_back(sign, std::string{column});
    if (i < expr.size())
      sign = expr[i] == '-' ? -1 : 1;
    start = i + 1;
  }
  return result;
}

// The text of one of our errors without its code: problems are listed
// under one invalid_config error already.
std::string message_of(const caf::error& err) {
  const auto& ctx = err.context();
  if (ctx.match_elements<std::string>())
    return ctx.get_as<std::string>(0);
  return twin::describe(err);
}

} // namespace

std::string expand(std::string_view pattern, std::string_view sensor) {
  constexpr std::string_view hole = "{sensor}";
  std::string result;
  size_t pos = 0;
  while (true) {
    auto next = pattern.find(hole, pos);
    result += pattern.substr(pos, next - pos);
    if (next == std::string_view::npos)
      return result;
    result += sensor;
    pos = next + hole.size();
  }
}

caf::expected<dataset> read_dataset(std::istream& in,
                                    std::string_view file_name) {
  dataset result;
  result.name = std::filesystem::path{std::string{file_name}}.stem().string();
  std::string problems;
  size_t line_no = 0;
  auto problem = [&](const std::string& what) {
    problems += '\n';
    problems += file_name;
    problems += ':';
    problems += std::to_string(line_no);
    problems += ": ";
    problems += what;
  };
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    auto text = twin::trim(twin::strip_comment(line));
    if (text.empty())
      continue;
    auto eq = text.find('=');
    if (eq == std::string_view::npos) {
      problem("expected 'key = value'");
      continue;
    }
    auto key = twin::trim(text.substr(0, eq));
    auto value = twin::trim(text.substr(eq + 1));
    std::string v{value};
    if (key == "files") {
      for (auto pattern : twin::split_ws(value))
        result.files.emplace_back(pattern);
    } else if (key == "separator") {
      if (v == "tab")
        result.separator = '\t';
      else if (v.size() == 1)
        result.separator = v[0];
      else
        problem("separator is one character or 'tab'");
    } else if (key == "time") {
      result.time_column = v;
    } else if (key == "zone") {
      auto zone = time_zone::parse(v);
      if (zone)
        result.zone = std::move(*zone);
      else
        problem(message_of(zone.error()));
    } else if (key == "sensor_column") {
      result.sensor_column = v;
    } else if (key == "sensor_id") {
      result.sensor_id = v;
    } else if (key == "topic") {
      result.topic = v;
    } else if (key == "base_name") {
      result.base_name = v;
    } else if (key == "field") {
      auto words = twin::split_ws(value);
      if (words.size() != 3) {
        problem("field = NAME UNIT COLUMN[(+|-)COLUMN...] ('-' for no unit)");
        continue;
      }
      field_spec f{std::string{words[0]},
                   words[1] == "-" ? std::string{} : std::string{words[1]},
                   parse_terms(words[2])};
      if (f.terms.empty())
        problem("bad column expression '" + std::string{words[2]} + "'");
      else
        result.fields.push_back(std::move(f));
    } else {
      problem("unknown key '" + std::string{key} + "'");
    }
  }
  line_no = 0;
  if (result.files.empty())
    problem("no 'files'");
  if (result.time_column.empty())
    problem("no 'time' column");
  if (result.sensor_column.empty() == result.sensor_id.empty())
    problem("exactly one of 'sensor_column' and 'sensor_id'");
  if (result.topic.empty() || result.base_name.empty())
    problem("'topic' and 'base_name' are required");
  if (result.fields.empty())
    problem("no 'field'");
  if (!problems.empty())
    return caf::make_error(twin::errc::invalid_config,
                           "bad dataset description" + problems);
  return result;
}

caf::expected<dataset> load_dataset(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return caf::make_error(twin::errc::io_failure,
                           "cannot read dataset description " + path);
  return read_dataset(in, path);
}

} // namespace citytwin::replay
