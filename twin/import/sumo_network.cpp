// twin/import/sumo_network.cpp
#include "twin/import/sumo_network.hpp"

#include "twin/error.hpp"
#include "twin/import/sumo_net_records.hpp"
#include "twin/import/sumo_signals.hpp"
#include "twin/import/xml_reader.hpp"
#include "twin/text.hpp"

#include <algorithm>
#include <fstream>
#include <set>

namespace citytwin::twin::import {

namespace {

// Elements of net_file.xsd that carry nothing the road graph needs: edge
// types (edges repeat their values), right-of-way matrices, parameters,
// NEMA controller details. Anything else is unknown and warned about.
const std::set<std::string_view> ignored_elements
  = {"type",     "restriction", "neigh",       "stopOffset", "param",
     "request",  "condition",   "assignment",  "function",   "prohibition",
     "roundabout"};

class net_parser {
public:
  explicit net_parser(detail::net_records& out) : out_(out) {
  }

  void start(const xml_element& e) {
    auto name = e.name();
    if (depth_++ == 0) {
      root(e);
      return;
    }
    if (!root_ok_)
      return; // the root problem says it all
    if (name == "edge")
      edge(e);
    else if (name == "lane")
      lane(e);
    else if (name == "junction")
      junction(e);
    else if (name == "connection")
      connection(e);
    else if (name == "tlLogic")
      tl_logic(e);
    else if (name == "phase")
      phase(e);
    else if (name == "location")
      location(e);
    else if (!ignored_elements.contains(name))
      out_.warn(e.line(), "unknown element <" + std::string{name}
                            + "> ignored");
  }

  void end(std::string_view name) {
    --depth_;
    if (name == "edge") {
      in_edge_ = false;
      internal_edge_.clear();
    }
    else if (name == "tlLogic")
      in_tl_ = false;
  }

private:
  void root(const xml_element& e) {
    if (e.name() != "net") {
      out_.problem(e.line(), "not a SUMO network: root element is <"
                               + std::string{e.name()} + ">, not <net>");
      return;
    }
    auto version = e.attribute("version");
    if (!version) {
      out_.problem(e.line(), "<net> has no version (SUMO before 0.13?); "
                             "re-run netconvert to upgrade it");
      return;
    }
    out_.version = *version;
    if (!supported_net_version(*version)) {
      out_.problem(e.line(), "unsupported net version '"
                               + std::string{*version}
                               + "' (supported: 0.13 to 1.20)");
      return;
    }
    root_ok_ = true;
  }

  // Reads a required attribute; reports its absence.
  std::optional<std::string_view> need(const xml_element& e,
                                       std::string_view key) {
    auto result = e.attribute(key);
    if (!result)
      out_.problem(e.line(), "<" + std::string{e.name()} + "> lacks '"
                               + std::string{key} + "'");
    return result;
  }

  // Reads a required numeric attribute; reports absence or bad numbers.
  template <class T>
  bool need_number(const xml_element& e, std::string_view key, T& out) {
    auto text = need(e, key);
    if (!text)
      return false;
    if (parse_number(*text, out))
      return true;
    out_.problem(e.line(), "<" + std::string{e.name()} + "> attribute '"
                             + std::string{key} + "' is not a number: '"
                             + std::string{*text} + "'");
    return false;
  }

  void location(const xml_element& e) {
    sumo_location loc;
    auto offset = e.attribute_or("netOffset", "0,0");
    auto parts = split(offset, ',');
    if (parts.size() != 2 || !parse_number(parts[0], loc.offset_x)
        || !parse_number(parts[1], loc.offset_y))
      out_.problem(e.line(), "<location> netOffset is not 'x,y': '"
                               + std::string{offset} + "'");
    loc.conv_boundary = e.attribute_or("convBoundary", "");
    loc.orig_boundary = e.attribute_or("origBoundary", "");
    loc.proj_parameter = e.attribute_or("projParameter", "!");
    out_.location = std::move(loc);
    out_.location_line = e.line();
  }

  void edge(const xml_element& e) {
    auto id = need(e, "id");
    if (!id)
      return;
    auto function = e.attribute_or("function", "normal");
    if (function == "crossing" || function == "walkingarea") {
      ++(function == "crossing" ? out_.num_crossings
                                : out_.num_walking_areas);
      out_.skipped_edges.emplace(*id);
      return;
    }
    // Before SUMO 0.25 some internal edges had no function attribute; the
    // leading ':' has always marked them.
    if (function == "internal" || (*id)[0] == ':') {
      ++out_.num_internal_edges;
      out_.skipped_edges.emplace(*id);
      internal_edge_ = *id; // its lanes' lengths make up `via`s
      return;
    }
    if (function != "normal") {
      out_.warn(e.line(), "edge '" + std::string{*id} + "' has unknown "
                          "function '" + std::string{function}
                          + "': skipped");
      out_.skipped_edges.emplace(*id);
      return;
    }
    detail::raw_edge result;
    result.id = *id;
    result.line = e.line();
    if (auto from = need(e, "from"))
      result.from = *from;
    if (auto to = need(e, "to"))
      result.to = *to;
    result.name = e.attribute_or("name", "");
    result.shape = e.attribute_or("shape", "");
    out_.edges.push_back(std::move(result));
    in_edge_ = true;
  }

  void lane(const xml_element& e) {
    if (!internal_edge_.empty()) {
      internal_lane(e);
      return;
    }
    if (!in_edge_)
      return; // a lane of a skipped (crossing, walking area) edge
    detail::raw_lane result;
    bool ok = need_number(e, "speed", result.speed_m_s);
    ok = need_number(e, "length", result.length_m) && ok;
    result.admits_cars = admits_cars(e.attribute_or("allow", ""),
                                     e.attribute_or("disallow", ""));
    if (ok)
      out_.edges.back().lanes.push_back(result);
  }

  // SUMO's lane permissions for vClass passenger: an `allow` list must
  // name it (or "all"); otherwise a `disallow` list must not.
  static bool admits_cars(std::string_view allow, std::string_view disallow) {
    auto names = [](std::string_view list) {
      auto v = split_ws(list);
      return std::find(v.begin(), v.end(), "passenger") != v.end()
             || std::find(v.begin(), v.end(), "all") != v.end();
    };
    if (!allow.empty())
      return names(allow);
    return !names(disallow);
  }

  void internal_lane(const xml_element& e) {
    auto id = need(e, "id");
    detail::internal_lane result;
    result.edge = internal_edge_;
    bool ok = need_number(e, "index", result.index);
    ok = need_number(e, "length", result.length_m) && ok;
    if (id && ok)
      out_.internal_lanes.emplace(*id, std::move(result));
  }

  void junction(const xml_element& e) {
    auto id = need(e, "id");
    if (!id)
      return;
    auto type = e.attribute_or("type", "");
    if (type == "internal") {
      ++out_.num_internal_junctions;
      return;
    }
    detail::raw_junction result;
    result.id = *id;
    result.type = type;
    result.line = e.line();
    bool ok = need_number(e, "x", result.x);
    ok = need_number(e, "y", result.y) && ok;
    if (ok)
      out_.junctions.push_back(std::move(result));
  }

  void connection(const xml_element& e) {
    detail::raw_connection result;
    result.line = e.line();
    auto from = need(e, "from");
    auto to = need(e, "to");
    bool ok = from && to;
    ok = need_number(e, "fromLane", result.from_lane) && ok;
    ok = need_number(e, "toLane", result.to_lane) && ok;
    if (auto tl = e.attribute("tl")) {
      result.tl = *tl;
      ok = need_number(e, "linkIndex", result.link_index) && ok;
    }
    if (!ok)
      return;
    result.from = *from;
    result.to = *to;
    result.dir = e.attribute_or("dir", "");
    result.state = e.attribute_or("state", "");
    result.via = e.attribute_or("via", "");
    out_.connections.push_back(std::move(result));
  }

  void tl_logic(const xml_element& e) {
    auto result = detail::read_tl_logic(e, out_.file, problem_);
    if (!result)
      return;
    out_.tl_logics.push_back(std::move(*result));
    in_tl_ = true;
  }

  void phase(const xml_element& e) {
    if (!in_tl_) {
      out_.warn(e.line(), "<phase> outside <tlLogic> ignored");
      return;
    }
    if (auto result = detail::read_phase(e, problem_))
      out_.tl_logics.back().phases.push_back(std::move(*result));
  }

  detail::net_records& out_;
  detail::problem_sink problem_ = [this](size_t line, std::string text) {
    out_.problem(line, std::move(text));
  };
  std::string internal_edge_; // id of the internal edge being read
  size_t depth_ = 0;
  bool root_ok_ = false;
  bool in_edge_ = false;
  bool in_tl_ = false;
};

} // namespace

bool supported_net_version(std::string_view version) {
  auto parts = split(version, '.');
  int major = 0;
  int minor = 0;
  if (parts.size() != 2 || !parse_number(parts[0], major)
      || !parse_number(parts[1], minor))
    return false;
  // 0.13 introduced the versioned format; 1.20 is the newest one known
  // to this reader. Later versions may move attributes: refuse them.
  return (major == 0 && minor >= 13) || (major == 1 && minor <= 20);
}

caf::expected<sumo_network> read_sumo_network(std::istream& in,
                                              std::string_view file_name,
                                              const sumo_network_options& opts) {
  detail::net_records records;
  records.file = file_name;
  net_parser parser{records};
  xml_callbacks callbacks;
  callbacks.on_start = [&](const xml_element& e) { parser.start(e); };
  callbacks.on_end = [&](std::string_view name) { parser.end(name); };
  if (auto err = read_xml(in, file_name, callbacks))
    return err;
  return detail::build_network(std::move(records), opts);
}

caf::expected<sumo_network> load_sumo_network(const std::string& path,
                                              const sumo_network_options& opts) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return caf::make_error(errc::io_failure, "cannot open " + path);
  return read_sumo_network(in, path, opts);
}

city make_city(sumo_network net, std::string name, int utc_offset_min) {
  city result;
  result.name = std::move(name);
  result.center = net.center;
  result.utc_offset_min = utc_offset_min;
  result.roads = std::move(net.roads);
  return result;
}

} // namespace citytwin::twin::import
