// adapters/ingest/binding_table.cpp
#include "adapters/ingest/binding_table.hpp"

#include "twin/error.hpp"
#include "twin/problem_list.hpp"
#include "twin/text.hpp"

#include <fstream>
#include <istream>

namespace citytwin::ingest {

namespace {

constexpr std::string_view file_magic = "citytwin-bindings";

bool ends_in_separator(std::string_view s) {
  return !s.empty() && (s.back() == ':' || s.back() == '/');
}

} // namespace

bool binding_table::add_name(std::string name, binding b) {
  return names_.emplace(std::move(name), b).second;
}

bool binding_table::add_device(std::string prefix, twin::entity_id target) {
  if (!ends_in_separator(prefix))
    return false;
  return devices_.add(prefix, target);
}

binding_lookup binding_table::find(std::string_view name) const {
  device_memo memo;
  return find(name, memo);
}

binding_lookup binding_table::find(std::string_view name,
                                   device_memo& memo) const {
  binding_lookup result;
  // Hashing a whole name costs as much as the device lookup itself; most
  // tables bind devices only.
  if (!names_.empty()) {
    if (auto i = names_.find(name); i != names_.end()) {
      result.found = i->second;
      result.ok = true;
      return result;
    }
  }
  auto cut = name.find_last_of(":/");
  if (cut == std::string_view::npos)
    return result;
  auto prefix = name.substr(0, cut + 1);
  if (!memo.valid || memo.prefix != prefix) {
    const auto* target = devices_.find(prefix);
    if (target == nullptr)
      return result;
    memo.prefix.assign(prefix);
    memo.target = *target;
    memo.valid = true;
  }
  auto q = twin::parse_quantity(name.substr(cut + 1));
  if (!q) {
    result.reason = reject_reason::unknown_quantity;
    return result;
  }
  result.found = {memo.target, *q};
  result.ok = true;
  return result;
}

caf::expected<binding_table> read_bindings(std::istream& in,
                                           std::string_view file_name) {
  binding_table result;
  // Every bad line at once, at most 1000 of them (problem_list's cap).
  twin::problem_list problems{std::string{file_name}};
  size_t line_no = 0;
  auto problem = [&](const std::string& what) { problems.add(line_no, what); };
  auto entity = [&](std::string_view urn) -> std::optional<twin::entity_id> {
    auto id = twin::parse_urn(urn);
    if (!id) {
      problem(twin::describe(id.error()));
      return std::nullopt;
    }
    if (result.city().empty()) {
      result.city(id->city);
    } else if (id->city != result.city()) {
      problem("URN of city '" + id->city + "' in bindings of city '"
              + result.city() + "'");
      return std::nullopt;
    }
    return id->id;
  };
  std::string line;
  bool seen_magic = false;
  while (std::getline(in, line)) {
    ++line_no;
    auto words = twin::split_ws(twin::strip_comment(twin::trim(line)));
    if (words.empty())
      continue;
    if (!seen_magic) {
      seen_magic = true;
      if (words.size() != 2 || words[0] != file_magic || words[1] != "1") {
        problem("expected 'citytwin-bindings 1' as the first line");
        break;
      }
      continue;
    }
    if (words[0] == "city" && words.size() == 2) {
      if (!result.city().empty() && result.city() != words[1])
        problem("city line after URNs of city '" + result.city() + "'");
      result.city(std::string{words[1]});
    } else if (words[0] == "name" && words.size() == 4) {
      auto id = entity(words[2]);
      auto q = twin::parse_quantity(words[3]);
      if (!q)
        problem("unknown quantity '" + std::string{words[3]} + "'");
      if (id && q && !twin::accepts(id->kind, *q))
        problem(std::string{twin::to_string(id->kind)} + " has no quantity "
                + std::string{words[3]});
      else if (id && q && !result.add_name(std::string{words[1]}, {*id, *q}))
        problem("name '" + std::string{words[1]} + "' bound twice");
    } else if (words[0] == "device" && words.size() == 3) {
      auto id = entity(words[2]);
      if (id && !result.add_device(std::string{words[1]}, *id))
        problem("device prefix '" + std::string{words[1]}
                + "' bound twice or not ending in ':' or '/'");
    } else {
      problem("expected 'city NAME', 'name NAME URN QUANTITY' or "
              "'device PREFIX URN'");
    }
  }
  if (!seen_magic && problems.empty())
    problem("empty binding file");
  if (!problems.empty())
    return caf::make_error(twin::errc::invalid_config,
                           "bad binding file: " + problems.report());
  return result;
}

caf::expected<binding_table> load_bindings(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return caf::make_error(twin::errc::io_failure,
                           "cannot read binding file " + path);
  return read_bindings(in, path);
}

} // namespace citytwin::ingest
