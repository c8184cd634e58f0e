// viz/state_json.cpp
#include "viz/state_json.hpp"

#include "twin/error.hpp"
#include "twin/json_text.hpp"
#include "twin/quantity.hpp"
#include "viz/stream_access.hpp"

#include <algorithm>

namespace citytwin::viz {

nlohmann::json to_json(const twin::entity_state& state,
                       std::string_view city) {
  nlohmann::json attrs = nlohmann::json::object();
  for (const auto& a : twin::attributes(state))
    attrs[std::string{a.name}] = a.value;
  return {
    {"id", twin::to_urn(state.id, city)},
    {"type", std::string{twin::ngsi_type(state.id.kind)}},
    {"kind", std::string{twin::to_string(state.id.kind)}},
    {"updated_ms", state.updated},
    {"num_applied", state.num_applied},
    {"attributes", std::move(attrs)},
  };
}

void append_delta_json(std::string& out, const twin::entity_state& state,
                       std::string_view city, uint32_t changed_mask) {
  // Members in name order, as nlohmann keeps them.
  auto attrs = twin::attributes(state);
  std::sort(attrs.begin(), attrs.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  out += "{\"attributes\":{";
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (i > 0)
      out += ',';
    twin::append_json_string(out, attrs[i].name);
    out += ':';
    twin::append_json_number(out, attrs[i].value);
  }
  out += "},\"changed\":[";
  bool first = true;
  for (size_t q = 1; q <= twin::num_quantities; ++q) {
    if ((changed_mask & (uint32_t{1} << q)) == 0)
      continue;
    if (!first)
      out += ',';
    first = false;
    twin::append_json_string(out,
                             twin::info(static_cast<twin::quantity>(q)).name);
  }
  out += "],\"id\":";
  twin::append_json_string(out, twin::to_urn(state.id, city));
  out += ",\"kind\":";
  twin::append_json_string(out, twin::to_string(state.id.kind));
  out += ",\"num_applied\":";
  out += std::to_string(state.num_applied);
  out += ",\"type\":";
  twin::append_json_string(out, twin::ngsi_type(state.id.kind));
  out += ",\"updated_ms\":";
  out += std::to_string(state.updated);
  out += '}';
}

nlohmann::json to_json(const actors::twin_stats& stats) {
  nlohmann::json kinds = nlohmann::json::object();
  uint64_t total = 0;
  for (size_t i = 0; i < stats.entities_by_kind.size(); ++i) {
    auto kind = twin::all_entity_kinds.at(i);
    kinds[std::string{twin::to_string(kind)}] = stats.entities_by_kind[i];
    total += stats.entities_by_kind[i];
  }
  nlohmann::json rejected = nlohmann::json::object();
  for (size_t code = 1; code < stats.rejected_by_reason.size(); ++code)
    if (stats.rejected_by_reason[code] > 0)
      rejected[twin::to_string(static_cast<twin::errc>(code))]
        = stats.rejected_by_reason[code];
  return {
    {"city", stats.city},
    {"entities", total},
    {"entities_by_kind", std::move(kinds)},
    {"readings", stats.readings},
    {"readings_applied", stats.readings_applied()},
    {"unknown_entity", stats.unknown_entity},
    {"readings_rejected", stats.readings_rejected},
    {"rejected_by_reason", std::move(rejected)},
    {"deltas", stats.deltas},
    {"shards", stats.shards},
    {"shards_unreachable", stats.shards_unreachable},
    {"commands", stats.commands},
    {"commands_refused", stats.commands_refused},
  };
}

nlohmann::json to_open_json(const actors::twin_stats& stats, uint32_t kinds) {
  nlohmann::json by_kind = nlohmann::json::object();
  uint64_t total = 0;
  for (size_t i = 0; i < stats.entities_by_kind.size(); ++i) {
    auto kind = twin::all_entity_kinds.at(i);
    if ((kinds & kind_bit(kind)) == 0)
      continue;
    by_kind[std::string{twin::to_string(kind)}] = stats.entities_by_kind[i];
    total += stats.entities_by_kind[i];
  }
  return {
    {"city", stats.city},
    {"entities", total},
    {"entities_by_kind", std::move(by_kind)},
    {"scope", "open data"},
  };
}

} // namespace citytwin::viz
