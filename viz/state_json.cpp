// viz/state_json.cpp
#include "viz/state_json.hpp"

#include "twin/error.hpp"
#include "viz/stream_access.hpp"

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
