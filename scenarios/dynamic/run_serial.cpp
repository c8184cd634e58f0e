// scenarios/dynamic/run_serial.cpp
#include "scenarios/dynamic/run_serial.hpp"

namespace citytwin::scenarios::dynamic {

model_result run_serial(queue_model& model,
                        const std::function<void(double)>& progress,
                        double progress_every_s) {
  auto parts = model.num_partitions();
  double next_report = progress_every_s;
  while (!model.done()) {
    if (model.trees_due()) {
      for (uint32_t p = 0; p < parts; ++p)
        model.tree_phase(p);
      model.finish_trees();
    }
    for (uint32_t p = 0; p < parts; ++p)
      model.move_phase(p);
    for (uint32_t p = 0; p < parts; ++p)
      model.merge_phase(p);
    model.end_step();
    if (progress && model.now() >= next_report) {
      progress(model.now());
      next_report += progress_every_s;
    }
  }
  return model.result();
}

} // namespace citytwin::scenarios::dynamic
