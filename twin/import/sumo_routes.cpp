// twin/import/sumo_routes.cpp
#include "twin/import/sumo_routes.hpp"

#include "twin/error.hpp"
#include "twin/import/sumo_network.hpp"
#include "twin/import/xml_reader.hpp"
#include "twin/text.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <set>

namespace citytwin::twin::import {

namespace {

// A flow that would expand beyond this is a unit mistake (period in
// hours?), not demand: report it instead of exhausting memory.
constexpr double max_flow_vehicles = 1e7;
constexpr double seconds_per_hour = 3600;

const std::set<std::string_view> ignored_elements
  = {"param", "routeDistribution", "vTypeDistribution", "interval"};
const std::set<std::string_view> person_elements
  = {"person", "personFlow", "container", "containerFlow"};

// A vehicle or flow whose route may still arrive as a child element.
struct pending {
  std::string element; // vehicle, flow
  sumo_departure base;
  size_t line = 0;
  double begin = 0;
  double end = 0;
  double period = 0;
  double number = -1;
};

class route_parser {
public:
  route_parser(std::string_view file, sumo_demand& out)
    : file_(file), out_(out) {
  }

  void start(const xml_element& e) {
    auto name = e.name();
    if (depth_++ == 0) {
      root_ok_ = name == "routes" || name == "additional";
      if (!root_ok_)
        problem(e.line(), "not a SUMO route file: root element is <"
                            + std::string{name} + ">");
      return;
    }
    if (!root_ok_ || person_depth_ > 0) {
      person_depth_ += person_depth_ > 0 ? 1 : 0;
      return;
    }
    if (person_elements.contains(name)) {
      ++out_.report.num_persons_skipped;
      person_depth_ = 1;
    } else if (name == "vType") {
      vehicle_type(e);
    } else if (name == "vTypeDistribution") {
      distribution_ = e.attribute_or("id", "");
    } else if (name == "route") {
      route(e);
    } else if (name == "vehicle" || name == "flow") {
      vehicle_or_flow(e);
    } else if (name == "trip") {
      trip(e);
    } else if (name == "stop") {
      ++out_.report.num_stops;
    } else if (!ignored_elements.contains(name)) {
      warn(e.line(), "unknown element <" + std::string{name} + "> ignored");
    }
  }

  void end(std::string_view name) {
    --depth_;
    if (person_depth_ > 0) {
      --person_depth_;
      return;
    }
    if (name == "vTypeDistribution")
      distribution_.clear();
    else if ((name == "vehicle" || name == "flow") && pending_)
      finish(*pending_);
    if (name == "vehicle" || name == "flow") {
      pending_.reset();
      in_vehicle_ = false;
    }
  }

  std::vector<std::string> problems;

private:
  void problem(size_t line, std::string message) {
    problems.push_back(file_ + ":" + std::to_string(line) + ": " + message);
  }

  void warn(size_t line, std::string message) {
    out_.report.warnings.push_back(file_ + ":" + std::to_string(line) + ": "
                                   + message);
  }

  // A time attribute in seconds; SUMO also writes "h:m:s", rarely.
  std::optional<double> seconds(const xml_element& e, std::string_view key,
                                std::optional<double> fallback) {
    auto text = e.attribute(key);
    if (!text)
      return fallback;
    double result = 0;
    if (parse_number(*text, result) && result >= 0)
      return result;
    auto hms = split(*text, ':');
    double h = 0;
    double m = 0;
    double s = 0;
    if (hms.size() == 3 && parse_number(hms[0], h) && parse_number(hms[1], m)
        && parse_number(hms[2], s))
      return h * seconds_per_hour + m * 60 + s;
    problem(e.line(), "<" + std::string{e.name()} + "> " + std::string{key}
                        + " is not a time in seconds: '" + std::string{*text}
                        + "'");
    return std::nullopt;
  }

  void vehicle_type(const xml_element& e) {
    sumo_vehicle_type result;
    result.id = e.attribute_or("id", "");
    if (result.id.empty()) {
      problem(e.line(), "<vType> lacks 'id'");
      return;
    }
    result.vehicle_class = e.attribute_or("vClass", result.vehicle_class);
    result.distribution = distribution_;
    bool ok = true;
    for (auto [key, field] : {std::pair{"length", &result.length_m},
                              std::pair{"maxSpeed", &result.max_speed_m_s},
                              std::pair{"probability", &result.probability}})
      if (auto text = e.attribute(key); text && !parse_number(*text, *field))
        ok = false;
    if (!ok)
      problem(e.line(), "<vType> '" + result.id + "' has a bad number");
    out_.vehicle_types.push_back(std::move(result));
  }

  void route(const xml_element& e) {
    auto edges = e.attribute("edges");
    if (!edges || split_ws(*edges).empty()) {
      problem(e.line(), "<route> has no edges");
      return;
    }
    auto index = static_cast<int32_t>(out_.routes.size());
    std::vector<std::string> list;
    for (auto edge : split_ws(*edges))
      list.emplace_back(edge);
    if (in_vehicle_ && !pending_)
      return; // the route of a skipped or broken vehicle or flow
    out_.routes.push_back(std::move(list));
    if (pending_) {
      pending_->base.route = index;
      return;
    }
    auto id = e.attribute("id");
    if (!id)
      problem(e.line(), "a top-level <route> needs an 'id'");
    else if (!out_.route_by_id.emplace(*id, index).second)
      problem(e.line(), "duplicate route id '" + std::string{*id} + "'");
  }

  bool common(const xml_element& e, sumo_departure& d) {
    d.id = e.attribute_or("id", "");
    d.type = e.attribute_or("type", "DEFAULT_VEHTYPE");
    d.from_edge = e.attribute_or("from", "");
    d.to_edge = e.attribute_or("to", "");
    if (d.id.empty()) {
      problem(e.line(), "<" + std::string{e.name()} + "> lacks 'id'");
      return false;
    }
    if (auto r = e.attribute("route")) {
      auto i = out_.route_by_id.find(std::string{*r});
      if (i == out_.route_by_id.end()) {
        problem(e.line(), "'" + d.id + "' uses unknown route '"
                            + std::string{*r} + "'");
        return false;
      }
      d.route = i->second;
    }
    return true;
  }

  void vehicle_or_flow(const xml_element& e) {
    in_vehicle_ = true;
    pending p;
    p.element = e.name();
    p.line = e.line();
    if (!common(e, p.base))
      return;
    if (p.element == "vehicle") {
      auto depart = seconds(e, "depart", std::nullopt);
      if (!depart) {
        if (!e.attribute("depart"))
          problem(e.line(), "vehicle '" + p.base.id + "' lacks 'depart'");
        return;
      }
      p.base.depart_s = *depart;
      pending_ = std::move(p);
      return;
    }
    flow_timing(e, p);
  }

  void flow_timing(const xml_element& e, pending& p) {
    if (e.attribute("probability")
        || e.attribute_or("period", "").substr(0, 4) == "exp(") {
      warn(e.line(), "flow '" + p.base.id + "' is random (probability or "
                     "exp period): skipped");
      ++out_.report.num_skipped;
      return;
    }
    auto begin = seconds(e, "begin", 0.0);
    auto end = seconds(e, "end", std::nullopt);
    auto period = seconds(e, "period", std::nullopt);
    double vph = 0;
    if (auto text = e.attribute("vehsPerHour")) {
      if (!parse_number(*text, vph) || vph <= 0) {
        problem(e.line(), "flow '" + p.base.id + "' has a bad vehsPerHour");
        return;
      }
      period = seconds_per_hour / vph;
    }
    if (auto text = e.attribute("number");
        text && (!parse_number(*text, p.number) || p.number < 0)) {
      problem(e.line(), "flow '" + p.base.id + "' has a bad number");
      return;
    }
    if (!begin)
      return;
    p.begin = *begin;
    if (period && *period <= 0) {
      problem(e.line(), "flow '" + p.base.id + "' needs a positive period");
      return;
    }
    if (!period && (p.number < 0 || !end)) {
      problem(e.line(), "flow '" + p.base.id + "' needs period, "
                        "vehsPerHour, or number with end");
      return;
    }
    if (period) {
      p.period = *period;
      p.end = end ? *end
                  : (p.number >= 0 ? p.begin + p.period * p.number
                                   : p.begin + sumo_default_flow_duration_s);
    } else {
      p.end = *end;
      p.period = p.number > 0 ? (p.end - p.begin) / p.number : 1;
    }
    if ((p.end - p.begin) / p.period > max_flow_vehicles) {
      problem(e.line(), "flow '" + p.base.id + "' expands to too many "
                        "vehicles: check its period and end");
      return;
    }
    pending_ = std::move(p);
  }

  void trip(const xml_element& e) {
    sumo_departure d;
    d.kind = sumo_demand_kind::trip;
    if (!common(e, d))
      return;
    if (d.from_edge.empty() || d.to_edge.empty()) {
      warn(e.line(), "trip '" + d.id + "' has no from/to edges (TAZ or "
                     "junction trips are not supported): skipped");
      ++out_.report.num_skipped;
      return;
    }
    auto depart = seconds(e, "depart", std::nullopt);
    if (!depart) {
      if (!e.attribute("depart"))
        problem(e.line(), "trip '" + d.id + "' lacks 'depart'");
      return;
    }
    d.depart_s = *depart;
    ++out_.report.num_trips;
    out_.departures.push_back(std::move(d));
  }

  // Fills origin and destination from the route, then emits the vehicle or
  // the flow's vehicles.
  void finish(pending& p) {
    auto& d = p.base;
    if (d.route >= 0) {
      const auto& edges = out_.routes[static_cast<size_t>(d.route)];
      d.from_edge = edges.front();
      d.to_edge = edges.back();
    } else if (d.from_edge.empty() || d.to_edge.empty()) {
      problem(p.line, p.element + " '" + d.id + "' has no route and no "
                      "from/to edges");
      return;
    }
    if (p.element == "vehicle") {
      ++out_.report.num_vehicles;
      out_.departures.push_back(d);
      return;
    }
    ++out_.report.num_flows;
    d.kind = sumo_demand_kind::flow;
    std::string flow_id = d.id;
    for (size_t i = 0;; ++i) {
      double depart = p.begin + static_cast<double>(i) * p.period;
      if (depart >= p.end || (p.number >= 0 && i >= p.number))
        break;
      d.id = flow_id + "." + std::to_string(i);
      d.depart_s = depart;
      out_.departures.push_back(d);
      ++out_.report.num_flow_departures;
    }
  }

  std::string file_;
  sumo_demand& out_;
  size_t depth_ = 0;
  size_t person_depth_ = 0; // >0 inside a skipped person or container
  bool root_ok_ = false;
  bool in_vehicle_ = false; // inside <vehicle> or <flow>, even a skipped one
  std::string distribution_;
  std::optional<pending> pending_;
};

} // namespace

caf::error read_sumo_routes(std::istream& in, std::string_view file_name,
                            sumo_demand& demand) {
  // Parse into a copy so that a failing file leaves `demand` as it was.
  sumo_demand result = demand;
  route_parser parser{file_name, result};
  xml_callbacks callbacks;
  callbacks.on_start = [&](const xml_element& e) { parser.start(e); };
  callbacks.on_end = [&](std::string_view name) { parser.end(name); };
  if (auto err = read_xml(in, file_name, callbacks))
    return err;
  if (!parser.problems.empty()) {
    std::string text = std::to_string(parser.problems.size())
                       + " problem(s) in SUMO routes "
                       + std::string{file_name};
    for (const auto& p : parser.problems)
      text += "\n" + p;
    return caf::make_error(errc::invalid_city, std::move(text));
  }
  std::stable_sort(result.departures.begin(), result.departures.end(),
                   [](const auto& a, const auto& b) {
                     return a.depart_s < b.depart_s;
                   });
  demand = std::move(result);
  return caf::none;
}

caf::error load_sumo_routes(const std::string& path, sumo_demand& demand) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return caf::make_error(errc::io_failure, "cannot open " + path);
  return read_sumo_routes(in, path, demand);
}

caf::error check_demand(const sumo_demand& demand, const sumo_network& net) {
  std::set<std::string> reported;
  std::string text;
  auto check = [&](const std::string& edge, const std::string& user) {
    if (net.segment_by_edge.contains(edge) || !reported.insert(edge).second)
      return;
    text += "\nunknown edge '" + edge + "' (first used by '" + user + "')";
  };
  for (const auto& d : demand.departures) {
    check(d.from_edge, d.id);
    check(d.to_edge, d.id);
    if (d.route >= 0)
      for (const auto& edge : demand.routes[static_cast<size_t>(d.route)])
        check(edge, d.id);
  }
  if (reported.empty())
    return caf::none;
  return caf::make_error(errc::invalid_city,
                         std::to_string(reported.size())
                           + " edge(s) of the demand are not in the network"
                           + text);
}

} // namespace citytwin::twin::import
