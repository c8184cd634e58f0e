// scenarios/scenario_service.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "twin/city.hpp"

#include <caf/actor_system.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace citytwin::scenarios {

/// How a server runs what-if scenarios beside its live twin.
struct scenario_service_options {
  /// Runs under way at once; more are refused (errc::in_use) rather than
  /// queued, so a planner learns at once that the server is busy.
  uint32_t max_running = 2;
  /// Reports kept (the oldest finished ones go first).
  uint32_t keep = 32;
  /// Partitions of each run (scenario workers, detached threads).
  uint32_t partitions = 2;
  /// Where run files go (`<id>-<name>.run.h5`); empty: none are written.
  std::string runs_dir;
};

/// Where issued recommended actions go: the ALERTS of the city's rules
/// (which serve them to the viewer, as NGSI-LD `Alert` entities and to
/// their subscriptions) and the AUDIT log. Without ALERTS nothing can be
/// issued.
struct action_channel {
  actors::alerts_actor alerts;
  actors::audit_actor audit;
};

/// Spawns the SCENARIO SERVICE of `twin`, a running twin of `city`. A
/// submitted scenario is read and checked against the city in the
/// service; the fork is a request to the TWIN (actors/fork.hpp), and the
/// setup, simulation and results are computed on detached threads, so the
/// scheduler's workers keep serving the live twin.
actors::scenario_service_actor
spawn_scenario_service(caf::actor_system& sys, actors::twin_actor twin,
                       std::shared_ptr<const twin::city> city,
                       scenario_service_options opts = {},
                       action_channel channel = {});

} // namespace citytwin::scenarios
