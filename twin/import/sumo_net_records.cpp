// twin/import/sumo_net_records.cpp
#include "twin/import/sumo_net_records.hpp"

#include "twin/error.hpp"
#include "twin/import/sumo_signals.hpp"
#include "twin/text.hpp"

#include <algorithm>
#include <unordered_map>

namespace citytwin::twin::import::detail {

namespace {

// Limits of the twin's segment and intersection records (see city_file):
// what an imported network cannot satisfy is a problem, not a clamp.
constexpr size_t max_lanes = 16;
constexpr double max_speed_kmh = 300;
constexpr double kmh_per_m_s = 3.6;
// Internal lanes chain through internal junctions; netconvert makes at
// most two hops. A longer chain is a loop in a broken file.
constexpr size_t max_via_chain = 8;

bool is_traffic_light(std::string_view junction_type) {
  // traffic_light, traffic_light_unregulated, traffic_light_right_on_red
  return junction_type.substr(0, 13) == "traffic_light";
}

// Parses "x,y[,z] x,y[,z] ..." into net coordinates.
bool parse_shape(std::string_view text,
                 std::vector<std::pair<double, double>>& out) {
  for (auto point : split_ws(text)) {
    auto xyz = split(point, ',');
    std::pair<double, double> p;
    if ((xyz.size() != 2 && xyz.size() != 3)
        || !parse_number(xyz[0], p.first) || !parse_number(xyz[1], p.second))
      return false;
    out.push_back(p);
  }
  return true;
}

class builder {
public:
  builder(net_records& in, const sumo_network_options& opts)
    : in_(in), opts_(opts) {
  }

  caf::expected<sumo_network> run() {
    if (in_.problems.empty())
      georeference();
    if (in_.problems.empty()) {
      junctions();
      signals();
      edges();
      connections();
    }
    // Only a consistent set of ids can become a graph.
    if (in_.problems.empty()) {
      intersections();
      segments();
      turn_lengths();
      out_.tl_logics = std::move(in_.tl_logics);
      check_programs(out_, 0, in_.problems, in_.warnings);
    }
    if (!in_.problems.empty())
      return caf::make_error(errc::invalid_city, report_problems());
    out_.options = opts_;
    apply_signals(out_);
    auto& r = out_.report;
    r.version = in_.version;
    r.num_internal_edges = in_.num_internal_edges;
    r.num_crossings = in_.num_crossings;
    r.num_walking_areas = in_.num_walking_areas;
    r.num_internal_junctions = in_.num_internal_junctions;
    r.warnings = std::move(in_.warnings);
    return std::move(out_);
  }

private:
  std::string report_problems() const {
    std::string result = std::to_string(in_.problems.size())
                         + " problem(s) in SUMO network " + in_.file;
    for (const auto& p : in_.problems)
      result += "\n" + p;
    return result;
  }

  void georeference() {
    if (!in_.location) {
      in_.problem(0, "no <location> element: positions cannot be placed");
      return;
    }
    auto proj = sumo_projection::make(*in_.location, opts_.anchor);
    if (!proj) {
      in_.problem(in_.location_line, describe(proj.error()));
      return;
    }
    projection_ = std::move(*proj);
    out_.report.projection = projection_->description();
    std::vector<std::pair<double, double>> box;
    auto conv = in_.location->conv_boundary;
    std::replace(conv.begin(), conv.end(), ',', ' ');
    std::vector<double> v;
    for (auto token : split_ws(conv))
      if (double x; parse_number(token, x))
        v.push_back(x);
    if (v.size() == 4)
      out_.center = projection_->to_geo((v[0] + v[2]) / 2, (v[1] + v[3]) / 2);
  }

  void junctions() {
    for (uint32_t i = 0; i < in_.junctions.size(); ++i) {
      const auto& j = in_.junctions[i];
      if (!number_of_junction_.emplace(j.id, i).second)
        in_.problem(j.line, "duplicate junction id '" + j.id + "'");
    }
  }

  // Which tl ids have a program; which one is active is apply_signals'.
  void signals() {
    for (const auto& logic : in_.tl_logics)
      programmed_.insert(logic.id);
  }

  void edges() {
    for (uint32_t i = 0; i < in_.edges.size(); ++i) {
      const auto& e = in_.edges[i];
      if (!number_of_edge_.emplace(e.id, i).second)
        in_.problem(e.line, "duplicate edge id '" + e.id + "'");
      for (const auto* end : {&e.from, &e.to})
        if (!number_of_junction_.contains(*end))
          in_.problem(e.line, "edge '" + e.id + "' references missing "
                              "junction '" + *end + "'");
      if (e.lanes.empty() || e.lanes.size() > max_lanes)
        in_.problem(e.line, "edge '" + e.id + "' has "
                              + std::to_string(e.lanes.size())
                              + " lanes; the twin accepts 1..16");
    }
    yields_.assign(in_.edges.size(), false);
  }

  void connections() {
    // Connections leaving internal lanes tell how `via` lanes chain.
    for (const auto& c : in_.connections)
      if (!c.via.empty() && in_.skipped_edges.contains(c.from))
        next_via_.emplace(c.from + "\n" + std::to_string(c.from_lane), c.via);
    for (const auto& c : in_.connections) {
      auto from = number_of_edge_.find(c.from);
      auto to = number_of_edge_.find(c.to);
      bool from_ok = from != number_of_edge_.end();
      bool to_ok = to != number_of_edge_.end();
      if ((!from_ok && !in_.skipped_edges.contains(c.from))
          || (!to_ok && !in_.skipped_edges.contains(c.to))) {
        in_.problem(c.line, "connection " + c.from + " -> " + c.to
                              + " references a missing edge");
        continue;
      }
      if (!from_ok || !to_ok) {
        ++out_.report.num_internal_connections;
        continue;
      }
      sumo_connection result;
      result.from_segment = from->second;
      result.to_segment = to->second;
      result.from_lane = static_cast<uint16_t>(c.from_lane);
      result.to_lane = static_cast<uint16_t>(c.to_lane);
      result.dir = c.dir;
      result.state = c.state;
      result.tl = c.tl;
      result.link_index = c.link_index;
      result.via = c.via;
      result.via_length_m = via_length(c);
      // A lane that must ever yield, stop or wait for green is not a
      // priority lane (SUMO's state "M" = major link, has right of way).
      if (c.state != "M")
        yields_[from->second] = true;
      if (!c.tl.empty())
        tl_of_junction_.emplace(in_.edges[from->second].to, c.tl);
      out_.connections.push_back(std::move(result));
    }
    out_.report.num_connections = out_.connections.size();
  }

  // The length across the junction: the via lane and the internal lanes
  // it chains to. A via naming no internal lane is a problem.
  double via_length(const raw_connection& c) {
    double result = 0;
    auto lane = c.via;
    for (size_t hop = 0; !lane.empty(); ++hop) {
      auto i = in_.internal_lanes.find(lane);
      if (i == in_.internal_lanes.end() || hop == max_via_chain) {
        in_.problem(c.line, "connection " + c.from + " -> " + c.to
                              + ": via lane '" + lane
                              + (hop == max_via_chain ? "' chains too far"
                                                      : "' does not exist"));
        return 0;
      }
      result += i->second.length_m;
      auto next = next_via_.find(i->second.edge + "\n"
                                 + std::to_string(i->second.index));
      lane = next == next_via_.end() ? std::string{} : next->second;
    }
    return result;
  }

  // The tl id a traffic-light junction's entering connections name. Its
  // phases come from that id's active program (apply_signals).
  std::string tl_of(const raw_junction& j) {
    if (!is_traffic_light(j.type))
      return {};
    ++out_.report.num_traffic_lights;
    auto tl = tl_of_junction_.find(j.id);
    if (tl == tl_of_junction_.end()) {
      // Typed traffic_light, but no link is signal-controlled: SUMO runs
      // it as a priority junction without complaint, and so do we.
      ++out_.report.num_uncontrolled_traffic_lights;
      return {};
    }
    if (!programmed_.contains(tl->second))
      in_.warn(j.line, "traffic-light junction '" + j.id + "': its "
                       "connections name tlLogic '" + tl->second
                       + "', which has no program: imported without phases "
                         "(an additional file may add it)");
    return tl->second;
  }

  void intersections() {
    for (uint32_t i = 0; i < in_.junctions.size(); ++i) {
      const auto& j = in_.junctions[i];
      intersection_info info;
      info.number = i;
      info.where = projection_->to_geo(j.x, j.y);
      out_.junction_tl.push_back(tl_of(j));
      if (!valid(info.where))
        in_.problem(j.line, "junction '" + j.id + "' projects outside "
                            "WGS84: wrong anchor or projection?");
      out_.roads.add_intersection(info);
      out_.junction_ids.push_back(j.id);
      out_.intersection_by_junction.emplace(j.id, i);
    }
    out_.report.num_junctions = in_.junctions.size();
  }

  void segments() {
    for (uint32_t i = 0; i < in_.edges.size(); ++i) {
      const auto& e = in_.edges[i];
      segment_info info;
      info.number = i;
      info.from = number_of_junction_.at(e.from);
      info.to = number_of_junction_.at(e.to);
      // SUMO (and sumolib's Edge.getLength) take an edge's length from its
      // first lane; lanes of one edge normally share it.
      info.length_m = e.lanes.front().length_m;
      info.lanes = static_cast<uint8_t>(e.lanes.size());
      double speed = 0;
      for (const auto& lane : e.lanes)
        speed = std::max(speed, lane.speed_m_s);
      info.speed_limit_kmh = speed * kmh_per_m_s;
      details(i, e);
      info.name = e.name;
      check(e, info);
      inner_shape(e, info);
      out_.roads.add_segment(info);
      out_.report.num_lanes += e.lanes.size();
      out_.edge_ids.push_back(e.id);
      out_.segment_by_edge.emplace(e.id, i);
    }
    out_.report.num_edges = in_.edges.size();
  }

  // Car lanes, priority and the way across the downstream junction;
  // capacity and green share follow from the programs (apply_signals).
  void details(uint32_t i, const raw_edge& e) {
    sumo_segment_details result;
    for (size_t k = 0; k < e.lanes.size(); ++k)
      if (e.lanes[k].admits_cars) {
        result.car_lane_mask |= static_cast<uint16_t>(1u << k);
        ++result.car_lanes;
      }
    result.priority = !yields_[i];
    size_t num_leaving = 0;
    for (const auto& c : out_.connections)
      if (c.from_segment == i) {
        result.junction_length_m += c.via_length_m;
        ++num_leaving;
      }
    if (num_leaving > 0)
      result.junction_length_m /= static_cast<double>(num_leaving);
    out_.report.num_car_lanes += result.car_lanes;
    out_.report.num_car_free_segments += result.car_lanes == 0 ? 1 : 0;
    out_.segment_details.push_back(result);
  }

  // Mean via length per pair of segments: what route_length_m adds.
  void turn_lengths() {
    std::unordered_map<uint64_t, std::pair<double, size_t>> sums;
    for (const auto& c : out_.connections) {
      auto& [sum, n] = sums[uint64_t{c.from_segment} << 32 | c.to_segment];
      sum += c.via_length_m;
      ++n;
    }
    for (const auto& [key, value] : sums)
      out_.turn_length_m.emplace(key, value.first
                                        / static_cast<double>(value.second));
  }

  void check(const raw_edge& e, const segment_info& info) {
    if (!(info.length_m > 0))
      in_.problem(e.line, "edge '" + e.id + "' has a non-positive length");
    if (!(info.speed_limit_kmh > 0 && info.speed_limit_kmh <= max_speed_kmh))
      in_.problem(e.line, "edge '" + e.id + "' speed "
                            + shortest(info.speed_limit_kmh)
                            + " km/h is outside (0, 300]");
  }

  // The edge's own shape runs from junction to junction; the twin keeps
  // only the inner points (the ends are the intersections).
  void inner_shape(const raw_edge& e, segment_info& info) {
    std::vector<std::pair<double, double>> points;
    if (!parse_shape(e.shape, points)) {
      in_.problem(e.line, "edge '" + e.id + "' has a malformed shape");
      return;
    }
    for (size_t k = 1; k + 1 < points.size(); ++k)
      info.shape.push_back(
        projection_->to_geo(points[k].first, points[k].second));
  }

  net_records& in_;
  const sumo_network_options& opts_;
  sumo_network out_;
  std::optional<sumo_projection> projection_;
  std::unordered_map<std::string, uint32_t> number_of_junction_;
  std::unordered_map<std::string, uint32_t> number_of_edge_;
  std::unordered_set<std::string> programmed_;
  std::unordered_map<std::string, std::string> next_via_; // "edge\nlane"
  std::unordered_map<std::string, std::string> tl_of_junction_;
  std::vector<bool> yields_; // by edge number
};

} // namespace

caf::expected<sumo_network> build_network(net_records records,
                                          const sumo_network_options& opts) {
  return builder{records, opts}.run();
}

} // namespace citytwin::twin::import::detail
