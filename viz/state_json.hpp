// viz/state_json.hpp
#pragma once

#include "actors/messages.hpp"
#include "twin/entity_state.hpp"

#include <nlohmann/json.hpp>

#include <string_view>

namespace citytwin::viz {

/// An entity's state as JSON: id (URN), type, kind, time, attributes.
nlohmann::json to_json(const twin::entity_state& state, std::string_view city);

/// Twin counters as JSON, rejection reasons by name.
nlohmann::json to_json(const actors::twin_stats& stats);

} // namespace citytwin::viz
