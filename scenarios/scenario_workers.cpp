// scenarios/scenario_workers.cpp
#include "scenarios/scenario_workers.hpp"

#include "actors/type_ids.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <vector>

namespace citytwin::scenarios {

namespace {

enum phase : uint8_t { tree_phase = 0, move_phase = 1, merge_phase = 2 };

void run_partition(dynamic::queue_model& model, uint32_t partition,
                   uint8_t which) {
  switch (which) {
    case tree_phase: model.tree_phase(partition); break;
    case move_phase: model.move_phase(partition); break;
    default: model.merge_phase(partition); break;
  }
}

actors::scenario_worker_actor::behavior_type
scenario_worker(actors::scenario_worker_actor::pointer,
                std::shared_ptr<dynamic::queue_model> model,
                uint32_t partition) {
  return {
    [model, partition](actors::start_atom, uint8_t which) {
      run_partition(*model, partition, which);
      return caf::ok_atom_v;
    },
  };
}

struct scenario_run_state {
  static inline const char* name = "scenario-run";
  std::shared_ptr<dynamic::queue_model> model;
  std::vector<actors::scenario_worker_actor> workers;
  run_hooks hooks;
  double next_report = 0;
};

using run_pointer
  = actors::scenario_run_actor::stateful_pointer<scenario_run_state>;

void run_phase(run_pointer self, uint8_t which);

/// The next thing to do after a barrier: trees (when due), move, merge,
/// then the serial end of the step, until the model is done.
void advance(run_pointer self, uint8_t finished) {
  auto& st = self->state;
  auto& model = *st.model;
  if (finished == tree_phase) {
    model.finish_trees();
    return run_phase(self, move_phase);
  }
  if (finished == move_phase)
    return run_phase(self, merge_phase);
  model.end_step();
  if (st.hooks.progress && model.now() >= st.next_report) {
    st.hooks.progress(model.now());
    st.next_report += st.hooks.progress_every_s;
  }
  if (model.done()) {
    if (st.hooks.done)
      st.hooks.done(model.result());
    for (auto& w : st.workers)
      self->send_exit(w, caf::exit_reason::user_shutdown);
    self->quit();
    return;
  }
  run_phase(self, model.trees_due() ? tree_phase : move_phase);
}

/// Runs one phase of every partition and advances once all are done. The
/// run works partition 0 itself while the workers do the others: one
/// message round trip per phase and worker, and no thread that only waits
/// (on two cores the wake-ups of a separate coordinator cost more than
/// the work of a step).
void run_phase(run_pointer self, uint8_t which) {
  auto& st = self->state;
  auto pending = std::make_shared<size_t>(st.workers.size() + 1);
  for (auto& w : st.workers)
    self->request(w, caf::infinite, actors::start_atom_v, which)
      .then(
        [self, which, pending](caf::ok_atom) {
          if (--*pending == 0)
            advance(self, which);
        },
        [self](caf::error& err) {
          // A worker died: the model state is no longer whole.
          self->quit(std::move(err));
        });
  run_partition(*st.model, 0, which);
  if (--*pending == 0)
    advance(self, which);
}

actors::scenario_run_actor::behavior_type
scenario_run(run_pointer self, std::shared_ptr<dynamic::queue_model> model,
             std::vector<actors::scenario_worker_actor> workers,
             run_hooks hooks) {
  self->state.model = std::move(model);
  self->state.workers = std::move(workers);
  self->state.hooks = std::move(hooks);
  self->state.next_report = self->state.hooks.progress_every_s;
  return {
    [self](actors::start_atom) {
      auto& model = *self->state.model;
      if (model.done()) { // nothing to simulate: an empty horizon
        if (self->state.hooks.done)
          self->state.hooks.done(model.result());
        for (auto& w : self->state.workers)
          self->send_exit(w, caf::exit_reason::user_shutdown);
        self->quit();
        return;
      }
      run_phase(self, model.trees_due() ? tree_phase : move_phase);
    },
  };
}

} // namespace

actors::scenario_run_actor
start_scenario_run(caf::actor_system& sys,
                   std::shared_ptr<dynamic::queue_model> model,
                   run_hooks hooks) {
  std::vector<actors::scenario_worker_actor> workers;
  // Partition 0 is the run's own; workers take the others.
  for (uint32_t p = 1; p < model->num_partitions(); ++p)
    workers.push_back(sys.spawn<caf::detached>(scenario_worker, model, p));
  auto result = sys.spawn<caf::detached>(scenario_run, std::move(model),
                                         std::move(workers), std::move(hooks));
  caf::anon_send(result, actors::start_atom_v);
  return result;
}

} // namespace citytwin::scenarios
