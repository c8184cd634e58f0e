// viz/state_json.hpp
#pragma once

#include "actors/messages.hpp"
#include "twin/entity_state.hpp"

#include <nlohmann/json.hpp>

#include <string_view>

namespace citytwin::viz {

/// An entity's state as JSON: id (URN), type, kind, time, attributes.
nlohmann::json to_json(const twin::entity_state& state, std::string_view city);

/// The same object written straight to `out` as text, with `changed` (the
/// names of the quantities in `changed_mask`) among its members, as a
/// deltas frame carries it: what `to_json` plus `changed` would dump,
/// members in the same order, without building the document (the viewer
/// stream writes one per delta).
void append_delta_json(std::string& out, const twin::entity_state& state,
                       std::string_view city, uint32_t changed_mask);

/// Twin counters as JSON, rejection reasons by name.
nlohmann::json to_json(const actors::twin_stats& stats);

/// What anonymous callers may know of the twin: the city and the entity
/// counts of the kinds in `kinds` (open data; bits as in `kind_bit`),
/// nothing about other kinds, readings, rejections or tenants.
nlohmann::json to_open_json(const actors::twin_stats& stats, uint32_t kinds);

} // namespace citytwin::viz
