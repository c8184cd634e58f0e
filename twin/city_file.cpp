// twin/city_file.cpp
#include "twin/city_file.hpp"

#include "twin/problem_list.hpp"

#include "twin/error.hpp"
#include "twin/import/sumo_network.hpp"
#include "twin/percent.hpp"
#include "twin/text.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

namespace citytwin::twin {

namespace {

constexpr std::string_view magic = "citytwin-city";
// Reporting stops here: a file this broken is the wrong file, and the first
// thousand problems say enough.
constexpr size_t max_reported_problems = 1000;

struct field_spec {
  std::string_view key;
  bool required;
};

// Which fields each record accepts. `number` is positional, not listed.
const std::map<std::string_view, std::vector<field_spec>, std::less<>>
    record_fields = {
        {"city",
         {{"name", true},
          {"lon", true},
          {"lat", true},
          {"utc_offset_min", false}}},
        {"intersection", {{"lon", true}, {"lat", true}, {"phases", false}}},
        {"network",
         {{"format", true},
          {"file", true},
          {"anchor_lon", false},
          {"anchor_lat", false}}},
        {"road_segment",
         {{"from", true},
          {"to", true},
          {"length", true},
          {"lanes", false},
          {"speed", false},
          {"capacity", false},
          {"shape", false},
          {"name", false}}},
};

// Lamps, bins and sensors share one record layout.
const std::vector<field_spec> placement_fields
    = {{"segment", true}, {"lon", true}, {"lat", true}, {"rating", false}};

class parser {
public:
  explicit parser(std::string_view file)
    : file_(file), problems_(std::string{file}, max_reported_problems) {
  }

  caf::expected<city> run(std::istream& in) {
    std::string line;
    bool saw_header = false;
    while (std::getline(in, line)) {
      ++line_no_;
      auto text = trim(strip_comment(line));
      if (text.empty())
        continue;
      auto tokens = split_ws(text);
      if (!saw_header) {
        saw_header = true;
        check_header(tokens);
        continue;
      }
      record(tokens);
    }
    if (!saw_header)
      problem("file is empty: expected '" + std::string{magic} + " "
              + std::to_string(city_file_version) + "'");
    else if (!saw_city_)
      problem_at(0, "no 'city' record");
    cross_check();
    if (!problems_.empty())
      return caf::make_error(errc::invalid_city, problems_.report());
    return std::move(result_);
  }

private:
  void problem(std::string message) {
    problem_at(line_no_, std::move(message));
  }

  void problem_at(size_t line, std::string message) {
    problems_.add(line, message);
  }

  void check_header(const std::vector<std::string_view>& tokens) {
    if (tokens.size() != 2 || tokens[0] != magic) {
      problem("not a citytwin city file: expected '" + std::string{magic} + " "
              + std::to_string(city_file_version) + "' first");
      return;
    }
    int version = 0;
    if (!parse_number(tokens[1], version) || version != city_file_version)
      problem("unsupported city file version '" + std::string{tokens[1]}
              + "' (this build reads version "
              + std::to_string(city_file_version) + ")");
  }

  // Splits `key=value` tokens; reports unknown, duplicate, missing keys.
  std::optional<std::map<std::string_view, std::string_view>>
  fields(std::string_view record_name,
         const std::vector<std::string_view>& tokens, size_t first,
         const std::vector<field_spec>& spec) {
    std::map<std::string_view, std::string_view> result;
    bool ok = true;
    for (size_t i = first; i < tokens.size(); ++i) {
      auto eq = tokens[i].find('=');
      if (eq == std::string_view::npos) {
        problem(std::string{record_name} + ": expected key=value, got '"
                + std::string{tokens[i]} + "'");
        ok = false;
        continue;
      }
      auto key = tokens[i].substr(0, eq);
      bool known = false;
      for (const auto& f : spec)
        known = known || f.key == key;
      if (!known) {
        problem(std::string{record_name} + ": unknown field '"
                + std::string{key} + "'");
        ok = false;
      } else if (!result.emplace(key, tokens[i].substr(eq + 1)).second) {
        problem(std::string{record_name} + ": field '" + std::string{key}
                + "' given twice");
        ok = false;
      }
    }
    for (const auto& f : spec)
      if (f.required && !result.contains(f.key)) {
        problem(std::string{record_name} + ": missing field '"
                + std::string{f.key} + "'");
        ok = false;
      }
    if (!ok)
      return std::nullopt;
    return result;
  }

  // Reads an optional numeric field into `out` (left unchanged if absent);
  // reports a problem and returns false when present but malformed.
  template <class T>
  bool number_field(const std::string& what,
                    const std::map<std::string_view, std::string_view>& f,
                    std::string_view key, T& out) {
    auto i = f.find(key);
    if (i == f.end())
      return true;
    if (parse_number(i->second, out))
      return true;
    problem(what + ": field '" + std::string{key} + "' is not a valid number: '"
            + std::string{i->second} + "'");
    return false;
  }

  bool position(const std::string& what,
                const std::map<std::string_view, std::string_view>& f,
                geo_point& where) {
    bool ok = number_field(what, f, "lon", where.lon)
              & number_field(what, f, "lat", where.lat);
    if (ok && !valid(where)) {
      problem(what + ": position (" + std::string{f.at("lon")} + ", "
              + std::string{f.at("lat")} + ") is not a WGS84 coordinate");
      return false;
    }
    return ok;
  }

  void record(const std::vector<std::string_view>& tokens) {
    auto name = tokens[0];
    if (name == "city") {
      city_record(tokens);
      return;
    }
    if (name == "network") {
      network_record(tokens);
      return;
    }
    auto kind = parse_entity_kind(name);
    if (!kind) {
      problem("unknown entity kind '" + std::string{name} + "'");
      return;
    }
    uint32_t number = 0;
    if (tokens.size() < 2 || !parse_number(tokens[1], number)) {
      problem(std::string{name} + ": expected an entity number after the kind");
      return;
    }
    entity_id id{*kind, number};
    auto what = std::string{name} + " " + std::to_string(number);
    if (!seen_.emplace(id, line_no_).second) {
      problem(what + ": number already used on line "
              + std::to_string(seen_[id]));
      return;
    }
    if (*kind == entity_kind::intersection)
      intersection_record(what, number, tokens);
    else if (*kind == entity_kind::road_segment)
      segment_record(what, number, tokens);
    else
      placement_record(what, id, tokens);
  }

  void city_record(const std::vector<std::string_view>& tokens) {
    if (saw_city_) {
      problem("a second 'city' record");
      return;
    }
    saw_city_ = true;
    auto f = fields("city", tokens, 1, record_fields.at("city"));
    if (!f)
      return;
    result_.name = std::string{f->at("name")};
    if (result_.name.empty()
        || result_.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
                                          "KLMNOPQRSTUVWXYZ0123456789_-")
               != std::string::npos)
      problem("city: name '" + result_.name
              + "' must be letters, digits, '-' or '_'");
    position("city", *f, result_.center);
    if (number_field("city", *f, "utc_offset_min", result_.utc_offset_min)
        && std::abs(result_.utc_offset_min) > 14 * 60)
      problem("city: utc_offset_min must lie within +-840 minutes");
  }

  void intersection_record(const std::string& what, uint32_t number,
                           const std::vector<std::string_view>& tokens) {
    auto f
        = fields("intersection", tokens, 2, record_fields.at("intersection"));
    if (!f)
      return;
    intersection_info info;
    info.number = number;
    unsigned phases = 0;
    bool ok = position(what, *f, info.where)
              & number_field(what, *f, "phases", phases);
    if (ok && phases > 63) {
      problem(what + ": phases must be 0..63, got " + std::to_string(phases));
      ok = false;
    }
    info.num_phases = static_cast<uint8_t>(phases);
    if (ok)
      result_.roads.add_intersection(info);
  }

  void segment_record(const std::string& what, uint32_t number,
                      const std::vector<std::string_view>& tokens) {
    auto f
        = fields("road_segment", tokens, 2, record_fields.at("road_segment"));
    if (!f)
      return;
    segment_info info;
    info.number = number;
    unsigned lanes = 1;
    bool ok = number_field(what, *f, "from", info.from)
              & number_field(what, *f, "to", info.to)
              & number_field(what, *f, "length", info.length_m)
              & number_field(what, *f, "lanes", lanes)
              & number_field(what, *f, "speed", info.speed_limit_kmh);
    info.capacity_veh_h = 900.0 * lanes; // a typical urban lane
    ok = number_field(what, *f, "capacity", info.capacity_veh_h) && ok;
    auto require = [&](bool condition, const std::string& why) {
      if (!condition) {
        problem(what + ": " + why);
        ok = false;
      }
    };
    require(info.length_m > 0,
            "length must be positive, got " + std::string{f->at("length")});
    require(lanes >= 1 && lanes <= 16, "lanes must be 1..16");
    require(info.speed_limit_kmh > 0 && info.speed_limit_kmh <= 300,
            "speed must be in (0, 300] km/h");
    require(info.capacity_veh_h > 0, "capacity must be positive");
    info.lanes = static_cast<uint8_t>(lanes);
    if (auto shape = f->find("shape"); shape != f->end())
      ok = parse_shape(what, shape->second, info.shape) && ok;
    if (auto n = f->find("name"); n != f->end())
      info.name = percent_decode_lenient(n->second);
    if (ok)
      pending_segments_.emplace_back(line_no_, std::move(info));
  }

  bool parse_shape(const std::string& what, std::string_view text,
                   std::vector<geo_point>& out) {
    for (auto point : split(text, ';')) {
      auto parts = split(point, ',');
      geo_point p;
      if (parts.size() != 2 || !parse_number(parts[0], p.lon)
          || !parse_number(parts[1], p.lat) || !valid(p)) {
        problem(what + ": shape point '" + std::string{point}
                + "' is not 'lon,lat'");
        return false;
      }
      out.push_back(p);
    }
    return true;
  }

  void placement_record(const std::string& what, entity_id id,
                        const std::vector<std::string_view>& tokens) {
    auto f = fields(to_string(id.kind), tokens, 2, placement_fields);
    if (!f)
      return;
    placement p;
    p.id = id;
    bool ok = number_field(what, *f, "segment", p.segment)
              & position(what, *f, p.where)
              & number_field(what, *f, "rating", p.rating);
    if (ok && p.rating < 0) {
      problem(what + ": rating must not be negative");
      ok = false;
    }
    if (ok && id.kind == entity_kind::parking_sensor
        && p.rating != static_cast<double>(static_cast<uint32_t>(p.rating))) {
      problem(what + ": a parking rating (spaces) is a whole number");
      ok = false;
    }
    if (ok)
      pending_things_.emplace_back(line_no_, p);
  }

  // `network format=sumo file=F [anchor_lon= anchor_lat=]`: the roads come
  // from an imported SUMO network, numbered in file order; F is relative
  // to the city file. Loaded once everything else is read.
  void network_record(const std::vector<std::string_view>& tokens) {
    if (network_line_ != 0) {
      problem("a second 'network' record");
      return;
    }
    network_line_ = line_no_;
    auto f = fields("network", tokens, 1, record_fields.at("network"));
    if (!f)
      return;
    if (f->at("format") != "sumo") {
      problem("network: format '" + std::string{f->at("format")}
              + "' is not supported (supported: sumo; convert TNTP with "
                "'citytwin import-network')");
      return;
    }
    network_file_ = percent_decode_lenient(f->at("file"));
    bool has_lon = f->contains("anchor_lon");
    if (has_lon != f->contains("anchor_lat")) {
      problem("network: give both anchor_lon and anchor_lat, or neither");
      return;
    }
    if (has_lon) {
      geo_point anchor;
      if (number_field("network", *f, "anchor_lon", anchor.lon)
          && number_field("network", *f, "anchor_lat", anchor.lat)
          && valid(anchor))
        network_options_.anchor = anchor;
      else
        problem("network: anchor is not a WGS84 coordinate");
    }
  }

  void load_network() {
    if (network_file_.empty())
      return;
    if (result_.roads.num_intersections() > 0 || !pending_segments_.empty()) {
      problem_at(network_line_, "network: a city with a 'network' record "
                                "takes its roads from it; remove the "
                                "intersection and road_segment records");
      return;
    }
    auto path = std::filesystem::path{network_file_};
    if (path.is_relative())
      path = std::filesystem::path{std::string{file_}}.parent_path() / path;
    auto net = import::load_sumo_network(path.string(), network_options_);
    if (!net) {
      problem_at(network_line_, "network: " + describe(net.error()));
      return;
    }
    result_.roads = std::move(net->roads);
    for (uint32_t i = 0; i < result_.roads.num_segments(); ++i)
      seen_.emplace(entity_id{entity_kind::road_segment, i}, network_line_);
  }

  // References can point forward, so they are checked once all is read.
  void cross_check() {
    load_network();
    for (auto& [line, seg] : pending_segments_) {
      auto what = "road_segment " + std::to_string(seg.number);
      bool ok = true;
      for (auto end : {seg.from, seg.to})
        if (!result_.roads.find_intersection(end)) {
          problem_at(line, what + ": intersection " + std::to_string(end)
                               + " does not exist");
          ok = false;
        }
      if (ok)
        result_.roads.add_segment(std::move(seg));
    }
    for (auto& [line, p] : pending_things_) {
      if (!seen_.contains({entity_kind::road_segment, p.segment})) {
        problem_at(line, std::string{to_string(p.id.kind)} + " "
                             + std::to_string(p.id.number) + ": road_segment "
                             + std::to_string(p.segment) + " does not exist");
        continue;
      }
      result_.things.push_back(p);
    }
  }

  std::string_view file_;
  size_t line_no_ = 0;
  bool saw_city_ = false;
  size_t network_line_ = 0;
  std::string network_file_;
  import::sumo_network_options network_options_;
  problem_list problems_;
  std::map<entity_id, size_t> seen_;
  std::vector<std::pair<size_t, segment_info>> pending_segments_;
  std::vector<std::pair<size_t, placement>> pending_things_;
  city result_;
};

} // namespace

caf::expected<city> read_city(std::istream& in, std::string_view file_name) {
  return parser{file_name}.run(in);
}

caf::expected<city> load_city(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return caf::make_error(errc::io_failure, "cannot open " + path);
  return read_city(in, path);
}

void write_city(std::ostream& out, const city& c) {
  out << magic << ' ' << city_file_version << '\n'
      << "# Generated by citytwin; format: data/README.md\n"
      << "city name=" << c.name << " lon=" << fixed7(c.center.lon)
      << " lat=" << fixed7(c.center.lat)
      << " utc_offset_min=" << c.utc_offset_min << '\n';
  for (auto* v : c.roads.intersections()) {
    out << "intersection " << v->number << " lon=" << fixed7(v->where.lon)
        << " lat=" << fixed7(v->where.lat);
    if (v->num_phases > 0)
      out << " phases=" << unsigned{v->num_phases};
    out << '\n';
  }
  for (auto* s : c.roads.segments()) {
    out << "road_segment " << s->number << " from=" << s->from
        << " to=" << s->to << " length=" << shortest(s->length_m)
        << " lanes=" << unsigned{s->lanes}
        << " speed=" << shortest(s->speed_limit_kmh)
        << " capacity=" << shortest(s->capacity_veh_h);
    if (!s->shape.empty()) {
      out << " shape=";
      for (size_t i = 0; i < s->shape.size(); ++i)
        out << (i > 0 ? ";" : "") << fixed7(s->shape[i].lon) << ','
            << fixed7(s->shape[i].lat);
    }
    if (!s->name.empty())
      out << " name=" << percent_encode(s->name);
    out << '\n';
  }
  for (auto kind : all_entity_kinds)
    for (const auto& p : c.things)
      if (p.id.kind == kind)
        out << to_string(kind) << ' ' << p.id.number << " segment=" << p.segment
            << " lon=" << fixed7(p.where.lon) << " lat=" << fixed7(p.where.lat)
            << " rating=" << shortest(p.rating) << '\n';
}

caf::error save_city(const std::string& path, const city& c) {
  std::ofstream out{path};
  if (!out)
    return caf::make_error(errc::io_failure, "cannot write " + path);
  write_city(out, c);
  out.flush();
  if (!out)
    return caf::make_error(errc::io_failure, "failed writing " + path);
  return caf::none;
}

} // namespace citytwin::twin
