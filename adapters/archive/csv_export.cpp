// adapters/archive/csv_export.cpp
#include "adapters/archive/csv_export.hpp"

#include "adapters/archive/file_io.hpp"
#include "twin/civil_time.hpp"

#include <charconv>
#include <string>
#include <string_view>

namespace citytwin::archive {

namespace {

// A field as RFC 4180 wants it: quoted (quotes doubled) when it holds a
// comma, a quote or a line break. URNs and units never do, but an entity
// id is whatever the API accepted.
void append_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"')
      out += '"';
    out += c;
  }
  out += '"';
}

// Shortest round-trip form; `nan`, `inf`, `-inf` for the rest.
void append_value(std::string& out, double value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

} // namespace

caf::expected<export_report> write_csv(const archive_view& view,
                                       const std::filesystem::path& output,
                                       twin::time_ms from, twin::time_ms to) {
  auto file = staged_file::create(output);
  if (!file)
    return file.error();
  export_report result;
  if (auto err = file->append("entity,attribute,time,value,unit\n"))
    return err;
  std::string rows;
  for (const auto& name : view.streams()) {
    // The first three fields and the unit are the same on every row.
    std::string head;
    append_field(head, name.entity);
    head += ',';
    append_field(head, name.quantity);
    head += ',';
    std::string unit;
    append_field(unit, view.unit_of(name));
    uint64_t stream_samples = 0;
    auto cuts = view.pieces(name, from, to);
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      auto xs = view.read(name, cuts[i], cuts[i + 1]);
      if (!xs)
        return xs.error();
      rows.clear();
      for (const auto& s : *xs) {
        rows += head;
        rows += twin::format_iso_time(s.time);
        rows += ',';
        append_value(rows, s.value);
        rows += ',';
        rows += unit;
        rows += '\n';
      }
      if (auto err = file->append(rows))
        return err;
      stream_samples += xs->size();
    }
    result.samples += stream_samples;
    result.items += stream_samples > 0 ? 1 : 0;
  }
  if (auto err = file->commit())
    return err;
  result.bytes = file->size();
  return result;
}

} // namespace citytwin::archive
