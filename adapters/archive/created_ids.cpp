// adapters/archive/created_ids.cpp
#include "adapters/archive/created_ids.hpp"

#include <nlohmann/json.hpp>

namespace citytwin::archive {

namespace {

checked_log::options log_options(journal_sync sync) {
  checked_log::options opts;
  opts.header = "citytwin-created 1";
  opts.what = "created-entity log";
  opts.advice = "move the file away to start without the entities the "
                "unknown-id policy created (their history stays archived)";
  opts.sync = sync;
  return opts;
}

// The bindings of `lines`; the number of the first bad line and why.
std::pair<size_t, std::string>
parse_bindings(const std::vector<std::string>& lines, const std::string& city,
               std::vector<created_binding>& out) {
  for (size_t i = 0; i < lines.size(); ++i) {
    auto line_no = i + 2; // line 1 is the header
    auto record = nlohmann::json::parse(lines[i], nullptr, false);
    if (record.is_discarded() || !record.is_object()
        || !record.contains("urn") || !record["urn"].is_string()
        || !record.contains("external") || !record["external"].is_string())
      return {line_no, "not a binding"};
    auto urn = twin::parse_urn(record["urn"].get<std::string>());
    if (!urn || urn->city != city)
      return {line_no, "not an entity of city '" + city + "'"};
    out.emplace_back(record["external"].get<std::string>(), urn->id);
  }
  return {0, {}};
}

} // namespace

caf::expected<
  std::pair<std::shared_ptr<created_ids>, std::vector<created_binding>>>
created_ids::open(const std::filesystem::path& file, std::string city,
                  journal_sync sync) {
  auto opened = checked_log::open(file, log_options(sync));
  if (!opened)
    return opened.error();
  auto& [lines, read] = *opened;
  std::vector<created_binding> bindings;
  if (auto [line_no, why] = parse_bindings(read.lines, city, bindings);
      line_no != 0)
    return lines->damaged(line_no, why);
  std::shared_ptr<created_ids> result{
    new created_ids{std::move(lines), std::move(city)}};
  return std::make_pair(std::move(result), std::move(bindings));
}

caf::expected<std::vector<created_binding>>
created_ids::read(const std::filesystem::path& file, const std::string& city) {
  auto opts = log_options(journal_sync::process);
  auto read = checked_log::read(file, opts);
  if (!read)
    return read.error();
  std::vector<created_binding> bindings;
  if (auto [line_no, why] = parse_bindings(read->lines, city, bindings);
      line_no != 0)
    return checked_log::damaged(file, opts, line_no, why);
  return bindings;
}

caf::error created_ids::keep(std::string_view external, twin::entity_id id) {
  nlohmann::json record = {{"urn", twin::to_urn(id, city_)},
                           {"external", external}};
  return lines_->append(
    record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

} // namespace citytwin::archive
