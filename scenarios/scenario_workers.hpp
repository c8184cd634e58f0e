// scenarios/scenario_workers.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "scenarios/dynamic/queue_model.hpp"

#include <caf/actor_system.hpp>

#include <functional>
#include <memory>

namespace citytwin::scenarios {

/// Hooks of one run, called on the SCENARIO RUN actor's thread.
struct run_hooks {
  /// Simulated seconds done, about every `progress_every_s`.
  std::function<void(double)> progress;
  double progress_every_s = 60;
  /// The result, once at the end.
  std::function<void(dynamic::model_result)> done;
};

/// Spawns a SCENARIO RUN, which works the first partition of `model`
/// itself, with one detached SCENARIO WORKER per further partition, and
/// starts it. Workers and the run are detached (own threads):
/// a run computes for seconds and must not hold the scheduler's workers,
/// which serve the live twin. The run quits after calling `hooks.done`.
actors::scenario_run_actor
start_scenario_run(caf::actor_system& sys,
                   std::shared_ptr<dynamic::queue_model> model,
                   run_hooks hooks);

} // namespace citytwin::scenarios
