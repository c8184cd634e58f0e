// actors/spawn_rules.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "actors/spawn_twin.hpp"
#include "twin/rules/engine.hpp"

#include <caf/actor_system.hpp>

#include <memory>
#include <vector>

namespace citytwin::actors {

/// The actors that run a tenant's rules next to its twin: one RULES actor
/// per shard of the twin (so both cores evaluate) and one ALERTS.
struct running_rules {
  std::vector<rules_actor> evaluators;
  alerts_actor alerts;
};

/// Spawns RULES actors for `rules` over the twin in `twin`, one per shard,
/// and their ALERTS; transitions are audited in `twin.audit`.
running_rules spawn_rules(caf::actor_system& sys, const twin_handles& twin,
                          const std::string& city,
                          std::shared_ptr<const rules::bound_rules> rules,
                          rules::engine_limits limits = {});

/// Replaces the rules of every RULES actor; what they learned carries over.
void reload_rules(const running_rules& running,
                  std::shared_ptr<const rules::bound_rules> rules);

/// Stops the actors, from outside any actor.
void stop_rules(caf::actor_system& sys, running_rules& running);

} // namespace citytwin::actors
