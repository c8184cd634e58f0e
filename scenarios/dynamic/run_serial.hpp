// scenarios/dynamic/run_serial.hpp
#pragma once

#include "scenarios/dynamic/queue_model.hpp"

#include <functional>

namespace citytwin::scenarios::dynamic {

/// Runs a model to its end on the calling thread, partition after
/// partition. Gives the same result as any parallel driver (the model is
/// deterministic by construction); used by tests, tools and benchmarks.
/// `progress` is called every `progress_every_s` simulated seconds.
model_result run_serial(queue_model& model,
                        const std::function<void(double)>& progress = {},
                        double progress_every_s = 300);

} // namespace citytwin::scenarios::dynamic
