// adapters/replay/csv_events.cpp
#include "adapters/replay/csv_events.hpp"

#include "twin/error.hpp"
#include "twin/text.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <unordered_map>

namespace citytwin::replay {

namespace {

namespace fs = std::filesystem;

bool match(std::string_view pattern, std::string_view name) {
  if (pattern.empty())
    return name.empty();
  if (pattern[0] == '*')
    return match(pattern.substr(1), name)
           || (!name.empty() && match(pattern, name.substr(1)));
  if (name.empty())
    return false;
  if (pattern[0] == '?' || pattern[0] == name[0])
    return match(pattern.substr(1), name.substr(1));
  return false;
}

void glob_into(const fs::path& dir, const std::vector<std::string>& levels,
               size_t level, std::vector<std::string>& out) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator{dir, ec}) {
    auto name = entry.path().filename().string();
    if (!match(levels[level], name))
      continue;
    if (level + 1 == levels.size()) {
      if (entry.is_regular_file(ec))
        out.push_back(entry.path().string());
    } else if (entry.is_directory(ec)) {
      glob_into(entry.path(), levels, level + 1, out);
    }
  }
}

// The SenML pack of one row; empty if no field had a value.
std::string make_pack(const dataset& ds, std::string_view sensor,
                      twin::time_ms time,
                      const std::vector<std::optional<double>>& values) {
  std::string result;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!values[i])
      continue;
    const auto& f = ds.fields[i];
    result += result.empty() ? "[{" : ",{";
    if (result.size() == 2) {
      result += "\"bn\":\"" + expand(ds.base_name, sensor) + "\",\"bt\":";
      result += twin::shortest(static_cast<double>(time) / 1000);
      result += ',';
    }
    result += "\"n\":\"" + f.name + "\",";
    if (!f.unit.empty())
      result += "\"u\":\"" + f.unit + "\",";
    result += "\"v\":" + twin::shortest(*values[i]) + "}";
  }
  if (!result.empty())
    result += ']';
  return result;
}

} // namespace

std::vector<std::string> glob(const std::string& root,
                              const std::string& pattern) {
  std::vector<std::string> levels;
  for (auto level : twin::split(pattern, '/'))
    if (!level.empty())
      levels.emplace_back(level);
  std::vector<std::string> result;
  if (!levels.empty())
    glob_into(root, levels, 0, result);
  std::sort(result.begin(), result.end());
  return result;
}

std::vector<std::string> split_csv(std::string_view line, char sep) {
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  std::vector<std::string> result;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == sep) {
      result.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  result.push_back(std::move(field));
  return result;
}

caf::expected<std::vector<event>>
load_events(const dataset& ds, const std::string& data_dir,
            load_report& report) {
  std::vector<std::string> paths;
  for (const auto& pattern : ds.files)
    for (auto& path : glob(data_dir, pattern))
      paths.push_back(std::move(path));
  if (paths.empty())
    return caf::make_error(twin::errc::io_failure,
                           "no file of dataset '" + ds.name + "' below "
                             + data_dir);
  std::vector<event> result;
  for (const auto& path : paths) {
    std::ifstream in{path};
    if (!in)
      return caf::make_error(twin::errc::io_failure, "cannot read " + path);
    ++report.files;
    std::string line;
    if (!std::getline(in, line))
      continue;
    auto header = split_csv(line, ds.separator);
    std::unordered_map<std::string, size_t> column;
    for (size_t i = 0; i < header.size(); ++i)
      column.emplace(std::string{twin::trim(header[i])}, i);
    auto index_of = [&](const std::string& name) -> caf::expected<size_t> {
      if (auto i = column.find(name); i != column.end())
        return i->second;
      return caf::make_error(twin::errc::invalid_config,
                             path + " has no column '" + name + "'");
    };
    auto time_col = index_of(ds.time_column);
    if (!time_col)
      return time_col.error();
    size_t sensor_col = 0;
    if (!ds.sensor_column.empty()) {
      auto i = index_of(ds.sensor_column);
      if (!i)
        return i.error();
      sensor_col = *i;
    }
    std::vector<std::vector<std::pair<int, size_t>>> field_cols;
    for (const auto& f : ds.fields) {
      auto& cols = field_cols.emplace_back();
      for (const auto& [sign, name] : f.terms) {
        auto i = index_of(name);
        if (!i)
          return i.error();
        cols.emplace_back(sign, *i);
      }
    }
    std::vector<std::optional<double>> values(ds.fields.size());
    while (std::getline(in, line)) {
      auto cells = split_csv(line, ds.separator);
      if (cells.size() == 1 && twin::trim(cells[0]).empty())
        continue; // blank line
      if (cells == header) {
        ++report.repeated_headers;
        continue;
      }
      ++report.rows;
      if (cells.size() < header.size()) {
        ++report.bad_columns;
        continue;
      }
      auto time = parse_local_time(twin::trim(cells[*time_col]), ds.zone);
      if (!time) {
        ++report.bad_time;
        continue;
      }
      std::string sensor = ds.sensor_column.empty()
                             ? ds.sensor_id
                             : std::string{twin::trim(cells[sensor_col])};
      for (size_t f = 0; f < ds.fields.size(); ++f) {
        values[f].reset();
        double sum = 0;
        bool ok = true;
        for (const auto& [sign, col] : field_cols[f]) {
          auto cell = twin::trim(cells[col]);
          double x = 0;
          if (cell.empty()) {
            ++report.empty_fields;
            ok = false;
            break;
          }
          if (!twin::parse_number(cell, x)) {
            ++report.bad_numbers;
            ok = false;
            break;
          }
          sum += sign * x;
        }
        if (ok)
          values[f] = sum;
      }
      auto pack = make_pack(ds, sensor, *time, values);
      if (pack.empty()) {
        ++report.empty_rows;
        continue;
      }
      result.push_back({*time, expand(ds.topic, sensor), std::move(pack)});
    }
  }
  std::stable_sort(result.begin(), result.end(),
                   [](const event& a, const event& b) {
                     return a.time < b.time;
                   });
  return result;
}

} // namespace citytwin::replay
