// scenarios/recommended_actions.hpp
#pragma once

#include "scenarios/dynamic/model_run.hpp"
#include "scenarios/run_summary.hpp"
#include "scenarios/scenario_file/scenario_spec.hpp"
#include "scenarios/scenario_setup.hpp"
#include "twin/city.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::scenarios {

/// Who an action is for.
enum class audience : uint8_t {
  police,
  fire,
  ambulance,
  traffic_operations,
  visitors,
};

const char* to_string(audience who);

/// One recommendation derived from a run: what to do, why, for whom,
/// when, and where.
struct recommended_action {
  std::string kind; ///< extend_green, reroute, keep_access_free,
                    ///< brighten_lighting, visitor_advice
  std::string text;
  std::string reason;
  uint8_t priority = 2; ///< 1 urgent, 2 important, 3 advice
  std::vector<audience> audiences;
  double from_s = 0; ///< scenario time
  double to_s = 0;
  /// Roads concerned, in order; for `reroute` the road to avoid first,
  /// then the detour.
  std::vector<uint32_t> segments;
  int64_t intersection = -1;      ///< the junction concerned, if one
};

/// Derives actions from a run's results (rules in recommended_actions.cpp,
/// each with the figures that triggered it in `reason`), most urgent
/// first. Deterministic: the same run gives the same actions.
std::vector<recommended_action>
recommend_actions(const scenario_spec& spec, const scenario_setup& setup,
                  const dynamic::model_result& result,
                  const run_summary& summary, const twin::city& city);

/// Whether `action_edits` can put the action into effect on the road
/// (extend_green, reroute); the others advise people and change nothing
/// the model simulates.
bool changes_traffic(const recommended_action& action);

/// The network edits that put the traffic-changing actions into effect
/// during their windows, so a run can show what they do: `extend_green`
/// gives its approach 15 s more green per cycle (at most 90 % of it),
/// `reroute` closes the road to avoid (drivers take the detours the model
/// finds). The other kinds change nothing on the road. New signal gates
/// are added to `setup.net`.
std::vector<dynamic::network_edit>
action_edits(const std::vector<recommended_action>& actions,
             scenario_setup& setup);

} // namespace citytwin::scenarios
