// scenarios/scenario_file/scenario_parser.hpp
#pragma once

#include "scenarios/scenario_file/scenario_spec.hpp"
#include "scenarios/scenario_file/yaml_fields.hpp"
#include "twin/city.hpp"
#include "twin/problem_list.hpp"

#include <caf/expected.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace citytwin::scenarios::detail {

/// Where a part of the spec was written, for the cross-checks' messages.
struct source_ref {
  size_t line = 0;
  std::string path;
};

/// Where an event and its parts were written.
struct event_source {
  source_ref self;
  source_ref venue;
  source_ref arrival;
  source_ref departure;
  std::vector<source_ref> parking;
};

/// Reads one scenario file against one city: scenario_reader.cpp reads the
/// top level and the global settings, scenario_parts.cpp the lists
/// (events, closures, signal plans, failures) and scenario_checks.cpp
/// checks the whole against the road network.
class scenario_parser {
public:
  scenario_parser(std::string_view file_name, const twin::city& city,
                  bool may_name_files);

  caf::expected<scenario_spec> run(std::string_view text);

private:
  // -- scenario_reader.cpp ---------------------------------------------------
  void read_root(const YAML::Node& root);
  void read_start(const YAML::Node& v);
  void read_rerouting(const YAML::Node& v);
  void read_background(const YAML::Node& v);
  void warn(size_t line, const std::string& path, const std::string& message);

  // -- scenario_parts.cpp ----------------------------------------------------
  void read_event(const YAML::Node& n, const std::string& path);
  void read_parking(const YAML::Node& n, const std::string& path,
                    event_spec& event, event_source& source);
  void read_closure(const YAML::Node& n, const std::string& path);
  void read_lane_reduction(const YAML::Node& n, const std::string& path);
  void read_signal_plan(const YAML::Node& n, const std::string& path);
  void read_failure(const YAML::Node& n, const std::string& path);

  /// A time window `{from, to}`; either end may default to 0 / the
  /// horizon when `defaults` is true; nullopt if it was wrong (reported).
  std::optional<time_window> window(const YAML::Node& v,
                                    const std::string& path, bool defaults);
  std::optional<double> time_point(const YAML::Node& v,
                                   const std::string& path);
  std::optional<uint32_t> intersection(const YAML::Node& v,
                                       const std::string& path);
  std::optional<uint32_t> segment(const YAML::Node& v, const std::string& path);
  /// `intersection: N`, `lon/lat [snap_m]` or (with `allow_segment`)
  /// `segment: N` keys of the map `n`; `what` names it in messages.
  std::optional<twin::entity_id> place(const YAML::Node& n,
                                       const std::string& path,
                                       std::string_view what,
                                       bool allow_segment);
  /// A time for messages: `23:00 (+5h)`.
  std::string when(double s) const;
  /// `segment: N`, `segments: [...]` or `name: "..."` keys of the map `n`,
  /// sorted and unique.
  std::optional<std::vector<uint32_t>> segment_set(const YAML::Node& n,
                                                   const std::string& path);
  std::optional<twin::entity_id> device(const YAML::Node& n,
                                        const std::string& path);

  // -- scenario_checks.cpp ---------------------------------------------------
  void check_events();
  void check_signal_plans();
  void check_network();
  void check_event_reach(size_t index);

  std::string file_;
  const twin::city& city_;
  bool may_name_files_;
  twin::problem_list problems_;
  yaml_fields fields_;
  scenario_spec result_;
  bool start_ok_ = false;   // clock times can be resolved
  bool horizon_ok_ = false; // windows can be checked against it
  size_t root_line_ = 1;
  std::vector<event_source> event_sources_;
  std::vector<source_ref> closure_sources_;
  std::vector<source_ref> plan_sources_;
  std::unordered_map<std::string, std::vector<uint32_t>> segments_by_name_;
  std::unordered_set<twin::entity_id> things_; // filled on first use
  size_t num_searches_ = 0; // reachability searches so far (bounded)
};

} // namespace citytwin::scenarios::detail
