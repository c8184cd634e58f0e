// scenarios/assignment/tntp_reader_tables.cpp
//
// The trips, flow and node readers of tntp_reader.hpp (the net reader lives
// in tntp_reader.cpp; both together exceed one comfortable file).
#include "scenarios/assignment/tntp_reader.hpp"

#include "scenarios/assignment/tntp_lexer.hpp"

#include <cmath>
#include <map>
#include <string>

namespace citytwin::scenarios::assignment {

namespace {

using detail::split_fields;
using detail::to_integer;
using detail::to_real;
using detail::trim;

/// Relative tolerance between the summed demand and `<TOTAL OD FLOW>`; the
/// files print totals with 6 to 16 digits.
constexpr double total_flow_tolerance = 1e-6;

bool starts_with_origin(std::string_view line) {
  if (line.size() < 6)
    return false;
  std::string head(line.substr(0, 6));
  for (auto& c : head)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return head == "origin";
}

/// Parses the `d : flow` records of one line into `row`.
void parse_demand_line(std::string_view line, long long max_zone,
                       const std::string& file, std::size_t number,
                       std::vector<od_entry>& row, double& sum,
                       std::vector<parse_error>& errors) {
  std::size_t start = 0;
  while (start <= line.size()) {
    auto end = line.find(';', start);
    auto record = trim(line.substr(start, end == line.npos ? line.npos
                                                           : end - start));
    start = end == line.npos ? line.size() + 1 : end + 1;
    if (record.empty())
      continue;
    auto colon = record.find(':');
    auto flow = colon == record.npos ? std::nullopt
                                     : to_real(record.substr(colon + 1));
    auto zone = colon == record.npos ? std::nullopt
                                     : to_integer(record.substr(0, colon));
    if (!flow || !zone) {
      errors.push_back({file, number,
                        "expected 'destination : flow', found '"
                          + std::string(record) + "'"});
      continue;
    }
    if (*zone < 1 || *zone > max_zone) {
      errors.push_back({file, number,
                        "demand to unknown zone " + std::to_string(*zone)
                          + " (zones are 1.." + std::to_string(max_zone)
                          + ")"});
      continue;
    }
    if (*flow < 0) {
      errors.push_back({file, number, "negative demand"});
      continue;
    }
    sum += *flow;
    row.push_back({static_cast<node_id>(*zone - 1), *flow});
  }
}

bool parse_flow_row(const std::vector<std::string_view>& fields,
                    link_flow& row) {
  if (fields.size() < 4)
    return false;
  auto from = to_integer(fields[0]);
  auto to = to_integer(fields[1]);
  auto volume = to_real(fields[2]);
  auto cost = to_real(fields[3]);
  if (!from || !to || !volume || !cost || *from < 1 || *to < 1)
    return false;
  row = {static_cast<node_id>(*from - 1), static_cast<node_id>(*to - 1),
         *volume, *cost};
  return true;
}

} // namespace

result<od_matrix> read_trips(const std::filesystem::path& trips_file,
                             std::optional<std::int32_t> network_zones) {
  auto loaded = detail::read_tntp_text(trips_file);
  if (!loaded)
    return loaded.errors();
  const auto& text = loaded.value();
  std::vector<parse_error> errors;
  auto num_zones = detail::integer_tag(text, "NUMBER OF ZONES", true, errors);
  if (!num_zones)
    return errors;
  auto max_zone = *num_zones;
  if (network_zones && *network_zones < max_zone)
    max_zone = *network_zones;
  std::map<long long, std::vector<od_entry>> rows;
  std::vector<od_entry>* row = nullptr;
  double sum = 0;
  for (auto i = text.body_begin; i < text.lines.size(); ++i) {
    auto line = trim(text.lines[i]);
    if (line.empty() || line.front() == '~')
      continue;
    if (starts_with_origin(line)) {
      auto origin = to_integer(line.substr(6));
      row = nullptr;
      if (!origin || *origin < 1 || *origin > max_zone)
        errors.push_back({text.file, i + 1,
                          "unknown origin zone '"
                            + std::string(trim(line.substr(6))) + "'"});
      else
        row = &rows[*origin];
      continue;
    }
    if (row == nullptr) {
      errors.push_back({text.file, i + 1, "demand outside an Origin block"});
      continue;
    }
    parse_demand_line(line, max_zone, text.file, i + 1, *row, sum, errors);
  }
  if (auto total = text.tags.find("TOTAL OD FLOW"); total != text.tags.end()) {
    auto expected = to_real(total->second.value);
    if (!expected)
      errors.push_back({text.file, total->second.line,
                        "<TOTAL OD FLOW> is not a number"});
    else if (std::fabs(sum - *expected)
             > total_flow_tolerance * std::max(1.0, std::fabs(*expected)))
      errors.push_back({text.file, total->second.line,
                        "<TOTAL OD FLOW> is " + total->second.value
                          + " but the demand sums to " + std::to_string(sum)
                          + " (truncated file?)"});
  }
  if (!errors.empty())
    return errors;
  od_matrix result_matrix(static_cast<std::int32_t>(*num_zones));
  for (auto& [origin, entries] : rows)
    result_matrix.add_row(static_cast<node_id>(origin - 1), std::move(entries));
  return result_matrix;
}

result<std::vector<link_flow>>
read_flows(const std::filesystem::path& flow_file) {
  auto loaded = detail::read_tntp_text(flow_file);
  if (!loaded)
    return loaded.errors();
  const auto& text = loaded.value();
  std::vector<parse_error> errors;
  std::vector<link_flow> flows;
  for (auto i = text.body_begin; i < text.lines.size(); ++i) {
    auto fields = split_fields(text.lines[i]);
    if (fields.empty() || fields[0].front() == '~')
      continue;
    auto from = to_integer(fields[0]);
    if (!from && flows.empty() && errors.empty())
      continue; // The `From To Volume Cost` header.
    link_flow row;
    if (!parse_flow_row(fields, row)) {
      errors.push_back({text.file, i + 1,
                        "expected 'from to volume cost' with positive node "
                        "ids"});
      continue;
    }
    flows.push_back(row);
  }
  if (!errors.empty())
    return errors;
  return flows;
}

result<std::vector<node_position>>
read_nodes(const std::filesystem::path& node_file) {
  auto loaded = detail::read_tntp_text(node_file);
  if (!loaded)
    return loaded.errors();
  const auto& text = loaded.value();
  std::vector<parse_error> errors;
  std::vector<node_position> nodes;
  for (auto i = text.body_begin; i < text.lines.size(); ++i) {
    auto fields = split_fields(text.lines[i]);
    if (fields.empty() || fields[0].front() == '~')
      continue;
    auto id = to_integer(fields[0]);
    if (!id && nodes.empty() && errors.empty())
      continue; // The `Node X Y` header.
    auto x = fields.size() > 1 ? to_real(fields[1]) : std::nullopt;
    auto y = fields.size() > 2 ? to_real(fields[2]) : std::nullopt;
    if (!id || !x || !y || *id < 1) {
      errors.push_back({text.file, i + 1,
                        "expected 'node x y' with a positive node id"});
      continue;
    }
    nodes.push_back({static_cast<node_id>(*id - 1), *x, *y});
  }
  if (!errors.empty())
    return errors;
  return nodes;
}

} // namespace citytwin::scenarios::assignment
