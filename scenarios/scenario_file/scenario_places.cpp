// scenarios/scenario_file/scenario_places.cpp: the values a scenario
// file's lists share: times and windows, intersections and venues (with
// snapping), segment selections and devices.
#include "scenarios/scenario_file/scenario_parser.hpp"
#include "scenarios/scenario_file/scenario_reader.hpp"
#include "scenarios/scenario_file/scenario_time.hpp"
#include "twin/geo.hpp"
#include "twin/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace citytwin::scenarios::detail {

namespace {

using twin::entity_kind;

constexpr size_t max_name_bytes = 64;
constexpr size_t max_street_name_bytes = 256;
constexpr size_t max_time_bytes = 32;
constexpr size_t max_urn_bytes = 128;
constexpr double s_per_day = 86400;
constexpr double default_snap_m = 300;
constexpr double max_snap_m = 5000;
constexpr auto max_number = std::numeric_limits<uint32_t>::max();

} // namespace

std::string scenario_parser::when(double s) const {
  auto offset = format_offset(s);
  if (!start_ok_)
    return offset;
  auto clock = std::fmod(result_.start_s_of_day + s, s_per_day);
  auto whole = static_cast<int>(std::floor(clock));
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%02d:%02d", whole / 3600, whole / 60 % 60);
  std::string result = buf;
  if (whole % 60 != 0) {
    std::snprintf(buf, sizeof(buf), ":%02d", whole % 60);
    result += buf;
  }
  return result + " (" + offset + ")";
}

std::optional<double> scenario_parser::time_point(const YAML::Node& v,
                                                  const std::string& path) {
  auto t = fields_.text(v, path, max_time_bytes);
  if (!t)
    return std::nullopt;
  if (!t->starts_with('+') && parse_clock(*t) && !start_ok_)
    return std::nullopt; // 'start' is wrong, and reported
  if (auto result = parse_time_point(*t, result_.start_s_of_day))
    return result;
  fields_.problem(v, path,
                  shown(*t)
                      + " is not a time: a clock time such as 23:00 or "
                        "23:00:30, or an offset from the start such as "
                        "+20min");
  return std::nullopt;
}

std::optional<time_window> scenario_parser::window(const YAML::Node& v,
                                                   const std::string& path,
                                                   bool defaults) {
  if (!v)
    return defaults && horizon_ok_
               ? std::optional<time_window>{{0, result_.horizon_s}}
               : std::nullopt;
  key_list required;
  if (!defaults)
    required = {"from", "to"};
  if (!fields_.check_map(v, path, {"from", "to"}, required))
    return std::nullopt;
  auto from = v["from"] ? time_point(v["from"], child(path, "from"))
                        : std::optional<double>{0};
  auto to = v["to"] ? time_point(v["to"], child(path, "to"))
                    : std::optional<double>{result_.horizon_s};
  if (!from || !to || !horizon_ok_ || (!defaults && (!v["from"] || !v["to"])))
    return std::nullopt;
  bool ok = true;
  if (*to < *from) {
    fields_.problem(v["to"], child(path, "to"),
                    "the window ends at " + when(*to) + ", before it starts at "
                        + when(*from));
    ok = false;
  }
  if (*from > result_.horizon_s) {
    fields_.problem(v["from"], child(path, "from"),
                    "starts at " + when(*from) + ", after the horizon ends at "
                        + when(result_.horizon_s));
    ok = false;
  } else if (*to > result_.horizon_s) {
    fields_.problem(v["to"], child(path, "to"),
                    "ends at " + when(*to) + ", after the horizon ends at "
                        + when(result_.horizon_s));
    ok = false;
  }
  if (!ok)
    return std::nullopt;
  return time_window{*from, *to};
}

std::optional<uint32_t> scenario_parser::intersection(const YAML::Node& v,
                                                      const std::string& path) {
  auto n = fields_.whole(v, path, 0, max_number);
  if (!n)
    return std::nullopt;
  auto number = static_cast<uint32_t>(*n);
  if (city_.roads.find_intersection(number))
    return number;
  fields_.problem(v, path,
                  "intersection " + std::to_string(number)
                      + " does not exist in city " + shown(city_.name));
  return std::nullopt;
}

std::optional<uint32_t> scenario_parser::segment(const YAML::Node& v,
                                                 const std::string& path) {
  auto n = fields_.whole(v, path, 0, max_number);
  if (!n)
    return std::nullopt;
  auto number = static_cast<uint32_t>(*n);
  if (city_.roads.find_segment(number))
    return number;
  fields_.problem(v, path,
                  "road segment " + std::to_string(number)
                      + " does not exist in city " + shown(city_.name));
  return std::nullopt;
}

std::optional<twin::entity_id> scenario_parser::place(const YAML::Node& n,
                                                      const std::string& path,
                                                      std::string_view what,
                                                      bool allow_segment) {
  int forms = (n["intersection"] ? 1 : 0)
              + (allow_segment && n["segment"] ? 1 : 0)
              + (n["lon"] || n["lat"] ? 1 : 0);
  std::string choices = allow_segment
                            ? "'intersection', 'segment', or 'lon' and 'lat'"
                            : "'intersection', or 'lon' and 'lat'";
  if (forms != 1) {
    fields_.problem(n, path,
                    std::string{what} + " needs exactly one of " + choices);
    return std::nullopt;
  }
  if (n["snap_m"] && !n["lon"] && !n["lat"]) {
    fields_.problem(n["snap_m"], child(path, "snap_m"),
                    "only with 'lon' and 'lat'");
    return std::nullopt;
  }
  if (n["intersection"]) {
    auto x = intersection(n["intersection"], child(path, "intersection"));
    return x ? std::optional<twin::entity_id>{{entity_kind::intersection, *x}}
             : std::nullopt;
  }
  if (n["segment"]) {
    auto x = segment(n["segment"], child(path, "segment"));
    return x ? std::optional<twin::entity_id>{{entity_kind::road_segment, *x}}
             : std::nullopt;
  }
  if (!n["lon"] || !n["lat"]) {
    fields_.problem(n, path, std::string{what} + " needs both 'lon' and 'lat'");
    return std::nullopt;
  }
  auto lon = fields_.number(n["lon"], child(path, "lon"), -180, 180);
  auto lat = fields_.number(n["lat"], child(path, "lat"), -90, 90);
  auto snap = n["snap_m"] ? fields_.number(n["snap_m"], child(path, "snap_m"),
                                           0, max_snap_m)
                          : std::optional<double>{default_snap_m};
  if (!lon || !lat || !snap)
    return std::nullopt;
  // TODO: a spatial index, should cities grow past some 100,000
  // intersections; a linear scan per place is fine until then.
  twin::geo_point p{*lon, *lat};
  const twin::intersection_info* nearest = nullptr;
  double best = std::numeric_limits<double>::infinity();
  for (auto* x : city_.roads.intersections()) {
    auto d = twin::distance_m(p, x->where);
    if (d < best) {
      best = d;
      nearest = x;
    }
  }
  if (!nearest) {
    fields_.problem(n, path,
                    std::string{what} + " off the network: city "
                        + shown(city_.name) + " has no intersections");
    return std::nullopt;
  }
  if (best > *snap) {
    fields_.problem(n, path,
                    std::string{what}
                        + " off the network: the nearest "
                          "intersection ("
                        + std::to_string(nearest->number) + ") is "
                        + std::to_string(std::lround(best))
                        + " m away, more than snap_m (" + twin::shortest(*snap)
                        + " m)");
    return std::nullopt;
  }
  return twin::entity_id{entity_kind::intersection, nearest->number};
}

std::optional<std::vector<uint32_t>>
scenario_parser::segment_set(const YAML::Node& n, const std::string& path) {
  int forms
      = (n["segment"] ? 1 : 0) + (n["segments"] ? 1 : 0) + (n["name"] ? 1 : 0);
  if (forms != 1) {
    fields_.problem(n, path,
                    "needs exactly one of 'segment', 'segments' or 'name'");
    return std::nullopt;
  }
  std::vector<uint32_t> result;
  bool ok = true;
  if (n["segment"]) {
    auto x = segment(n["segment"], child(path, "segment"));
    if (!x)
      return std::nullopt;
    result.push_back(*x);
  } else if (n["segments"]) {
    auto list = fields_.list(n["segments"], child(path, "segments"),
                             max_scenario_list_entries);
    if (n["segments"].IsSequence() && n["segments"].size() == 0) {
      fields_.problem(n["segments"], child(path, "segments"),
                      "must not be empty");
      return std::nullopt;
    }
    for (size_t i = 0; i < list.size(); ++i) {
      auto x = segment(list[i], element(child(path, "segments"), i));
      ok = ok && x.has_value();
      if (x)
        result.push_back(*x);
    }
    if (list.empty())
      return std::nullopt;
  } else {
    auto name
        = fields_.text(n["name"], child(path, "name"), max_street_name_bytes);
    if (!name)
      return std::nullopt;
    if (segments_by_name_.empty())
      for (auto* s : city_.roads.segments())
        if (!s->name.empty())
          segments_by_name_[s->name].push_back(s->number);
    auto it = segments_by_name_.find(*name);
    if (it == segments_by_name_.end()) {
      fields_.problem(n["name"], child(path, "name"),
                      "no road segment in city " + shown(city_.name)
                          + " is named " + shown(*name));
      return std::nullopt;
    }
    result = it->second;
  }
  if (!ok)
    return std::nullopt;
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

std::optional<twin::entity_id>
scenario_parser::device(const YAML::Node& n, const std::string& path) {
  bool by_urn = n["entity"].IsDefined();
  bool by_number = n["kind"].IsDefined() || n["number"].IsDefined();
  if (by_urn == by_number) {
    fields_.problem(n, path,
                    "needs either 'entity' (a URN) or 'kind' and 'number'");
    return std::nullopt;
  }
  const YAML::Node& at = by_urn ? n["entity"] : n;
  twin::entity_id id;
  if (by_urn) {
    auto t = fields_.text(n["entity"], child(path, "entity"), max_urn_bytes);
    if (!t)
      return std::nullopt;
    auto parsed = twin::parse_urn(*t);
    if (!parsed) {
      fields_.problem(at, child(path, "entity"),
                      shown(*t)
                          + " is not an entity URN "
                            "(urn:ngsi-ld:<Type>:<city>:<number>)");
      return std::nullopt;
    }
    if (parsed->city != city_.name) {
      fields_.problem(at, child(path, "entity"),
                      shown(*t) + " is an entity of city " + shown(parsed->city)
                          + ", not of " + shown(city_.name));
      return std::nullopt;
    }
    id = parsed->id;
  } else {
    if (!n["kind"] || !n["number"]) {
      fields_.problem(n, path, "needs both 'kind' and 'number'");
      return std::nullopt;
    }
    auto k = fields_.text(n["kind"], child(path, "kind"), max_name_bytes);
    auto number
        = fields_.whole(n["number"], child(path, "number"), 0, max_number);
    if (!k || !number)
      return std::nullopt;
    auto kind = twin::parse_entity_kind(*k);
    if (!kind) {
      fields_.problem(n["kind"], child(path, "kind"),
                      "unknown kind " + shown(*k));
      return std::nullopt;
    }
    id = {*kind, static_cast<uint32_t>(*number)};
  }
  auto label
      = std::string{twin::to_string(id.kind)} + " " + std::to_string(id.number);
  bool fails = id.kind == entity_kind::street_lamp || twin::is_sensor(id.kind)
               || id.kind == entity_kind::intersection;
  if (!fails) {
    fields_.problem(at, path,
                    label
                        + " cannot fail in a scenario (street "
                          "lamps, sensors and the signals of an "
                          "intersection can)");
    return std::nullopt;
  }
  if (id.kind == entity_kind::intersection) {
    auto* x = city_.roads.find_intersection(id.number);
    if (!x || x->num_phases == 0) {
      fields_.problem(at, path,
                      x ? label + " has no traffic signals"
                        : label + " does not exist in city "
                              + shown(city_.name));
      return std::nullopt;
    }
    return id;
  }
  if (things_.empty())
    for (const auto& p : city_.things)
      things_.insert(p.id);
  if (!things_.contains(id)) {
    fields_.problem(at, path,
                    label + " does not exist in city " + shown(city_.name));
    return std::nullopt;
  }
  return id;
}

} // namespace citytwin::scenarios::detail
