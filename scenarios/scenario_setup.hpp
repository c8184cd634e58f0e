// scenarios/scenario_setup.hpp
#pragma once

#include "scenarios/dynamic/demand.hpp"
#include "scenarios/dynamic/queue_model.hpp"
#include "scenarios/dynamic/road_network.hpp"
#include "scenarios/live_conditions.hpp"
#include "scenarios/scenario_file/scenario_spec.hpp"
#include "twin/city.hpp"

#include <caf/expected.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace citytwin::scenarios {

/// Everything one run needs, built from a scenario and its city.
struct scenario_setup {
  dynamic::road_network net;
  dynamic::demand trips;
  std::vector<dynamic::network_edit> edits;
  dynamic::model_options options;
  /// Cars of an event that found no parking space: never simulated, but
  /// counted and reported per event (never dropped silently).
  std::vector<uint64_t> unparked_by_event;
  /// Intersection numbers by model node (the model's arrays are dense).
  std::vector<uint32_t> intersection_of_node;
  /// How the background was fitted to the live counters (a run on a fork
  /// with background source `live_counters` that measured some flow).
  std::optional<counter_fit> background_fit;
  /// Notes on how the scenario was mapped, for the run's report.
  std::vector<std::string> notes;
};

/// Background demand at level 1 loads the network to this share of its
/// capacity on average (a gravity demand between sampled zones).
inline constexpr double background_load_share = 0.08;

/// The largest factor a fit to the live counters may apply to the level-1
/// background, and to one zone pair's rate beyond the one-factor fit (the
/// scenario file's own level goes up to 10 as well).
inline constexpr double max_background_factor = 10;

/// Rounds of the per-pair fit of the background to the live counters
/// (`fit_od_to_counters`).
inline constexpr uint32_t od_fit_iterations = 50;

/// Builds the network (with the city's signals), the background and event
/// trips and the timed network edits of a scenario. Deterministic for the
/// scenario's seed (and the fork). With `live`, a fork of the live twin:
/// signals off their own plan stay so for the run, and a background from
/// `live_counters` is fitted to the measured flows. Errors: a background
/// source the simulator cannot use yet (errc::invalid_config).
caf::expected<scenario_setup> make_setup(const scenario_spec& spec,
                                         const twin::city& city,
                                         uint32_t num_partitions,
                                         const live_conditions* live
                                         = nullptr);

/// A model of the setup with its edits (and `extra_edits`, e.g. applied
/// actions) scheduled. It refers to `setup`, which must outlive it.
std::shared_ptr<dynamic::queue_model>
make_model(const scenario_setup& setup,
           const std::vector<dynamic::network_edit>& extra_edits = {});

} // namespace citytwin::scenarios
