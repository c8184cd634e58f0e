// scenarios/scenario_file/scenario_reader.cpp
#include "scenarios/scenario_file/scenario_reader.hpp"

#include "scenarios/scenario_file/scenario_parser.hpp"
#include "scenarios/scenario_file/scenario_time.hpp"
#include "twin/error.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

namespace citytwin::scenarios {

namespace detail {

namespace {

// Past a thousand problems the file is not what the reader thinks it is.
constexpr size_t max_reported_problems = 1000;

constexpr uint64_t supported_version = 1;
constexpr size_t max_name_bytes = 64;
constexpr size_t max_description_bytes = 4096;
constexpr size_t max_path_bytes = 4096;
constexpr size_t max_start_bytes = 32;

constexpr double min_horizon_s = 60;        // 1 min
constexpr double max_horizon_s = 48 * 3600; // 48 h
constexpr double min_step_s = 0.1;
constexpr double max_step_s = 60;
constexpr double min_period_s = 1;
constexpr double max_background_level = 10;

const key_list root_keys = {"version",
                            "name",
                            "description",
                            "city",
                            "start",
                            "horizon",
                            "seed",
                            "step",
                            "output_interval",
                            "rerouting",
                            "background",
                            "events",
                            "closures",
                            "lane_reductions",
                            "signal_plans",
                            "failures"};

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

} // namespace

scenario_parser::scenario_parser(std::string_view file_name,
                                 const twin::city& city, bool may_name_files)
    : file_(file_name), city_(city), may_name_files_(may_name_files),
      problems_(std::string{file_name}, max_reported_problems),
      fields_(problems_) {
}

caf::expected<scenario_spec> scenario_parser::run(std::string_view text) {
  if (text.size() > max_scenario_file_bytes)
    return caf::make_error(twin::errc::invalid_config,
                           file_ + ": " + std::to_string(text.size())
                               + " bytes; a scenario file may have at most "
                               + std::to_string(max_scenario_file_bytes)
                               + " (1 MiB)");
  if (auto depth = estimated_depth(text); depth > max_scenario_depth)
    return caf::make_error(twin::errc::invalid_config,
                           file_ + ": nested " + std::to_string(depth)
                               + " levels deep; a scenario file needs at most "
                               + std::to_string(max_scenario_depth));
  try {
    read_root(YAML::Load(std::string{text}));
  } catch (const YAML::Exception& e) {
    // Syntax errors, and yaml-cpp's own depth guard.
    fields_.problem_at(e.mark.is_null() ? 0 : e.mark.line + 1, "",
                       "YAML: " + e.msg);
  }
  if (!problems_.empty())
    return caf::make_error(twin::errc::invalid_config, problems_.report());
  return std::move(result_);
}

void scenario_parser::warn(size_t line, const std::string& path,
                           const std::string& message) {
  result_.warnings.push_back(file_ + ":" + std::to_string(line) + ": " + path
                             + ": " + message);
}

void scenario_parser::read_root(const YAML::Node& root) {
  root_line_ = std::max(line_of(root), size_t{1});
  if (!root.IsMap()) {
    fields_.problem_at(root_line_, "",
                       "expected a map with 'version', 'name', 'city', "
                       "'start' and 'horizon'");
    return;
  }
  fields_.check_map(root, "", root_keys,
                    {"version", "name", "city", "start", "horizon"});
  if (auto v = fields_.whole(root["version"], "version", 0,
                             std::numeric_limits<uint64_t>::max());
      v && *v != supported_version)
    fields_.problem(root["version"], "version",
                    "unsupported version " + std::to_string(*v)
                        + " (this build reads version "
                        + std::to_string(supported_version) + ")");
  if (auto v = fields_.text(root["name"], "name", max_name_bytes)) {
    if (valid_name(*v))
      result_.name = *v;
    else
      fields_.problem(root["name"], "name",
                      shown(*v) + " is not a name: letters, digits, _ and -");
  }
  if (auto v
      = fields_.text(root["description"], "description", max_description_bytes))
    result_.description = *v;
  if (auto v = fields_.text(root["city"], "city", max_name_bytes)) {
    if (*v == city_.name)
      result_.city = *v;
    else
      fields_.problem(root["city"], "city",
                      "the scenario is for city " + shown(*v) + ", not for "
                          + shown(city_.name));
  }
  read_start(root["start"]);
  if (auto v = fields_.duration(root["horizon"], "horizon", min_horizon_s,
                                max_horizon_s)) {
    result_.horizon_s = *v;
    horizon_ok_ = true;
  }
  if (auto v = fields_.whole(root["seed"], "seed", 0,
                             std::numeric_limits<uint64_t>::max()))
    result_.seed = *v;
  if (auto v = fields_.duration(root["step"], "step", min_step_s, max_step_s))
    result_.step_s = *v;
  auto longest = horizon_ok_ ? result_.horizon_s : max_horizon_s;
  if (auto v = fields_.duration(root["output_interval"], "output_interval",
                                result_.step_s, longest))
    result_.output_interval_s = *v;
  else if (!root["output_interval"] && horizon_ok_)
    // A short scenario reports once, at its end.
    result_.output_interval_s
        = std::min(result_.output_interval_s, result_.horizon_s);
  if (root["rerouting"])
    read_rerouting(root["rerouting"]);
  if (root["background"])
    read_background(root["background"]);
  size_t i = 0;
  for (const auto& n :
       fields_.list(root["events"], "events", max_scenario_list_entries))
    read_event(n, element("events", i++));
  i = 0;
  for (const auto& n :
       fields_.list(root["closures"], "closures", max_scenario_list_entries))
    read_closure(n, element("closures", i++));
  i = 0;
  for (const auto& n : fields_.list(root["lane_reductions"], "lane_reductions",
                                    max_scenario_list_entries))
    read_lane_reduction(n, element("lane_reductions", i++));
  i = 0;
  for (const auto& n : fields_.list(root["signal_plans"], "signal_plans",
                                    max_scenario_list_entries))
    read_signal_plan(n, element("signal_plans", i++));
  i = 0;
  for (const auto& n :
       fields_.list(root["failures"], "failures", max_scenario_list_entries))
    read_failure(n, element("failures", i++));
  check_events();
  check_signal_plans();
  check_network();
}

void scenario_parser::read_start(const YAML::Node& v) {
  auto t = fields_.text(v, "start", max_start_bytes);
  if (!t)
    return;
  auto start = parse_start(*t);
  if (!start) {
    fields_.problem(v, "start",
                    shown(*t)
                        + " is not a local date and time such as "
                          "2026-06-13T18:00 (or 2026-06-13 18:00:00)");
    return;
  }
  result_.start = *t;
  result_.start_date = start->date;
  result_.start_s_of_day = start->s_of_day;
  start_ok_ = true;
}

void scenario_parser::read_rerouting(const YAML::Node& v) {
  const std::string path = "rerouting";
  if (!fields_.check_map(v, path, {"enabled", "period", "share"}, {"enabled"}))
    return;
  auto& r = result_.rerouting;
  if (auto x = fields_.flag(v["enabled"], child(path, "enabled")))
    r.enabled = *x;
  auto longest = horizon_ok_ ? result_.horizon_s : max_horizon_s;
  if (auto x = fields_.duration(v["period"], child(path, "period"),
                                min_period_s, longest))
    r.period_s = *x;
  if (auto x = fields_.number(v["share"], child(path, "share"), 0, 1))
    r.share = *x;
}

void scenario_parser::read_background(const YAML::Node& v) {
  const std::string path = "background";
  if (!fields_.check_map(v, path, {"level", "source", "od_file"}, {}))
    return;
  auto& b = result_.background;
  if (auto x = fields_.number(v["level"], child(path, "level"), 0,
                              max_background_level))
    b.level = *x;
  struct named_source {
    std::string_view name;
    background_source value;
  };
  constexpr std::array<named_source, 3> sources = {{
      {"equilibrium", background_source::equilibrium},
      {"live_counters", background_source::live_counters},
      {"od_file", background_source::od_file},
  }};
  if (auto x
      = fields_.text(v["source"], child(path, "source"), max_name_bytes)) {
    auto it = std::find_if(sources.begin(), sources.end(),
                           [&](const auto& s) { return s.name == *x; });
    if (it == sources.end())
      fields_.problem(v["source"], child(path, "source"),
                      "unknown source " + shown(*x)
                          + " (equilibrium, live_counters, od_file)");
    else
      b.source = it->value;
  }
  auto od = fields_.text(v["od_file"], child(path, "od_file"), max_path_bytes);
  bool wants_file = b.source == background_source::od_file;
  if (wants_file && !v["od_file"]) {
    fields_.problem(v, path, "source od_file needs the key 'od_file'");
  } else if (!wants_file && v["od_file"]) {
    fields_.problem(v["od_file"], child(path, "od_file"),
                    "only for source od_file");
  } else if (od && !may_name_files_) {
    // A scenario sent over the network must not learn which files the
    // server has.
    fields_.problem(v["od_file"], child(path, "od_file"),
                    "a scenario sent to the server cannot name files");
  } else if (od) {
    auto resolved = std::filesystem::path{*od};
    if (resolved.is_relative())
      resolved = std::filesystem::path{file_}.parent_path() / resolved;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(resolved, ec))
      fields_.problem(v["od_file"], child(path, "od_file"),
                      "no such file: " + shown(resolved.string()));
    else
      b.od_file = resolved.string();
  }
}

} // namespace detail

caf::expected<scenario_spec> read_scenario(std::istream& in,
                                           std::string_view file_name,
                                           const twin::city& city,
                                           bool may_name_files) {
  // Read one byte past the limit, so an oversized stream is recognised
  // without holding more of it.
  std::string text;
  text.resize(max_scenario_file_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.bad())
    return caf::make_error(twin::errc::io_failure,
                           std::string{file_name} + ": cannot be read");
  if (text.size() > max_scenario_file_bytes)
    return caf::make_error(twin::errc::invalid_config,
                           std::string{file_name} + ": more than "
                               + std::to_string(max_scenario_file_bytes)
                               + " bytes; a scenario file may have at most "
                                 "1 MiB");
  return detail::scenario_parser{file_name, city, may_name_files}.run(text);
}

caf::expected<scenario_spec> load_scenario(const std::string& path,
                                           const twin::city& city) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec)
    return caf::make_error(twin::errc::io_failure,
                           path + ": cannot be read: " + ec.message());
  if (size > max_scenario_file_bytes)
    return caf::make_error(twin::errc::invalid_config,
                           path + ": " + std::to_string(size)
                               + " bytes; a scenario file may have at most "
                               + std::to_string(max_scenario_file_bytes)
                               + " (1 MiB)");
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return caf::make_error(twin::errc::io_failure, path + ": cannot be opened");
  return read_scenario(in, path, city);
}

} // namespace citytwin::scenarios
