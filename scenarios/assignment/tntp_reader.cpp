// scenarios/assignment/tntp_reader.cpp
#include "scenarios/assignment/tntp_reader.hpp"

#include "scenarios/assignment/tntp_lexer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <string>

namespace citytwin::scenarios::assignment {

namespace {

using detail::split_fields;
using detail::to_integer;
using detail::to_real;
using detail::trim;

/// Net file columns we use, in standard TNTP order.
enum class column { from, to, capacity, length, fft, b, power, speed, toll,
                    type };

constexpr std::size_t num_columns = 10;

constexpr std::array<const char*, num_columns> column_names{
  "init_node", "term_node", "capacity", "length", "free_flow_time",
  "b",         "power",     "speed",    "toll",   "link_type"};

/// The first seven columns are mandatory; speed, toll and type may be absent.
constexpr std::size_t num_required_columns = 7;

constexpr std::size_t missing = static_cast<std::size_t>(-1);

std::string lower(std::string_view text) {
  std::string result(text);
  for (auto& c : result)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

/// Maps each column to its field index using the `~` header line.
std::array<std::size_t, num_columns>
map_columns(std::string_view header, const std::string& file, std::size_t line,
            std::vector<parse_error>& errors) {
  std::array<std::size_t, num_columns> result;
  result.fill(missing);
  auto fields = split_fields(header.substr(header.find('~') + 1));
  for (std::size_t f = 0; f < fields.size(); ++f) {
    auto name = lower(fields[f]);
    for (std::size_t c = 0; c < num_columns; ++c)
      if (name == column_names[c] && result[c] == missing)
        result[c] = f;
  }
  for (std::size_t c = 0; c < num_required_columns; ++c)
    if (result[c] == missing)
      errors.push_back({file, line,
                        std::string("header lacks column '") + column_names[c]
                          + "'"});
  return result;
}

/// Parses one link record; appends errors and returns false if it is bad.
bool parse_link(const std::vector<std::string_view>& fields,
                const std::array<std::size_t, num_columns>& columns,
                long long num_nodes, const std::string& file, std::size_t line,
                link_record& out, std::vector<parse_error>& errors) {
  auto needed = std::size_t{0};
  for (std::size_t c = 0; c < num_required_columns; ++c) {
    // The header's problem is reported once, by map_columns; without the
    // column no record can be read (and `missing + 1` would wrap to 0).
    if (columns[c] == missing)
      return false;
    needed = std::max(needed, columns[c] + 1);
  }
  if (fields.size() < needed) {
    errors.push_back({file, line,
                      "expected at least " + std::to_string(needed)
                        + " fields, found " + std::to_string(fields.size())
                        + " (truncated record?)"});
    return false;
  }
  std::array<double, num_columns> value{};
  bool ok = true;
  for (std::size_t c = 0; c < num_columns; ++c) {
    if (columns[c] == missing || columns[c] >= fields.size())
      continue;
    auto parsed = to_real(fields[columns[c]]);
    if (!parsed) {
      errors.push_back({file, line,
                        std::string("field '") + column_names[c]
                          + "' is not a number: '"
                          + std::string(fields[columns[c]]) + "'"});
      ok = false;
      continue;
    }
    value[c] = *parsed;
  }
  if (!ok)
    return false;
  for (auto c : {column::from, column::to}) {
    auto id = to_integer(fields[columns[static_cast<std::size_t>(c)]]);
    if (!id || *id < 1 || *id > num_nodes) {
      errors.push_back({file, line,
                        "unknown node "
                          + std::string(
                            fields[columns[static_cast<std::size_t>(c)]])
                          + " (network has " + std::to_string(num_nodes)
                          + " nodes)"});
      ok = false;
    }
  }
  auto at = [&](column c) { return value[static_cast<std::size_t>(c)]; };
  if (!(at(column::capacity) > 0)) {
    errors.push_back({file, line,
                      "capacity must be positive, found "
                        + std::string(fields[columns[static_cast<std::size_t>(
                          column::capacity)]])});
    ok = false;
  }
  for (auto c : {column::length, column::fft, column::b, column::power})
    if (at(c) < 0) {
      errors.push_back({file, line,
                        std::string("field '")
                          + column_names[static_cast<std::size_t>(c)]
                          + "' must not be negative"});
      ok = false;
    }
  // Converting a double outside int32's range is undefined behaviour
  // (UBSan found 9e13 here); link types are small codes.
  if (auto type = at(column::type);
      !(type >= std::numeric_limits<std::int32_t>::min()
        && type <= std::numeric_limits<std::int32_t>::max())) {
    errors.push_back({file, line, "field 'link_type' is out of range"});
    ok = false;
  }
  if (!ok)
    return false;
  out = link_record{static_cast<node_id>(at(column::from)) - 1,
             static_cast<node_id>(at(column::to)) - 1,
             at(column::capacity),
             at(column::length),
             at(column::fft),
             at(column::b),
             at(column::power),
             at(column::toll),
             static_cast<std::int32_t>(at(column::type))};
  return ok;
}

} // namespace

result<network> read_network(const std::filesystem::path& net_file) {
  auto loaded = detail::read_tntp_text(net_file);
  if (!loaded)
    return loaded.errors();
  const auto& text = loaded.value();
  std::vector<parse_error> errors;
  auto num_nodes = detail::integer_tag(text, "NUMBER OF NODES", true, errors);
  auto num_links = detail::integer_tag(text, "NUMBER OF LINKS", true, errors);
  auto num_zones = detail::integer_tag(text, "NUMBER OF ZONES", true, errors);
  // Munich has no FIRST THRU NODE; 1 means every node is passable.
  auto first_thru = detail::integer_tag(text, "FIRST THRU NODE", false, errors)
                      .value_or(1);
  if (!num_nodes || !num_links || !num_zones)
    return errors;
  std::array<std::size_t, num_columns> columns{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  bool header_seen = false;
  std::vector<link_record> links;
  std::size_t num_records = 0;
  for (auto i = text.body_begin; i < text.lines.size(); ++i) {
    auto line = trim(text.lines[i]);
    if (line.empty())
      continue;
    if (line.front() == '~') {
      if (!header_seen)
        columns = map_columns(line, text.file, i + 1, errors);
      header_seen = true;
      continue;
    }
    auto fields = split_fields(line);
    if (fields.empty())
      continue; // A line holding only ';'.
    ++num_records;
    link_record parsed;
    if (parse_link(fields, columns, *num_nodes, text.file, i + 1, parsed,
                   errors))
      links.push_back(parsed);
  }
  if (static_cast<long long>(num_records) != *num_links)
    errors.push_back({text.file, text.tags.at("NUMBER OF LINKS").line,
                      "<NUMBER OF LINKS> is " + std::to_string(*num_links)
                        + " but the file has " + std::to_string(num_records)
                        + " link records (truncated file?)"});
  if (first_thru < 1 || first_thru > *num_zones + 1) {
    auto tag = text.tags.find("FIRST THRU NODE");
    errors.push_back({text.file, tag == text.tags.end() ? 0 : tag->second.line,
                      "<FIRST THRU NODE> must lie in 1..zones+1"});
  }
  if (!errors.empty())
    return errors;
  return network::build(static_cast<std::int32_t>(*num_nodes),
                        static_cast<std::int32_t>(*num_zones),
                        static_cast<node_id>(first_thru - 1), std::move(links),
                        text.file);
}

} // namespace citytwin::scenarios::assignment
