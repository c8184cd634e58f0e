// adapters/rules/rule_file.cpp
#include "adapters/rules/rule_file.hpp"

#include "twin/entity_state.hpp"
#include "twin/problem_list.hpp"
#include "twin/rules/duration.hpp"
#include "twin/text.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <optional>
#include <vector>

namespace citytwin::rules {

namespace {

using twin::entity_kind;

// Past a thousand problems the file is not what the reader thinks it is.
constexpr size_t max_reported_problems = 1000;

// Longest value echoed in a message. A rule file holds no secrets; this
// only keeps a paragraph pasted into the wrong field out of the report.
constexpr size_t max_shown_length = 64;

constexpr int supported_version = 1;

// The format's limits (data/rules/README.md, "Limits"). Each list is cut
// at its limit before its entries are read, so one file causes bounded
// work however it was written.
constexpr size_t max_rules = 20000;
constexpr size_t max_clauses = 16;
constexpr size_t max_actions = 16;
constexpr size_t max_id_length = 64;
constexpr size_t max_description_bytes = 512;
constexpr size_t max_text_bytes = 256;
constexpr size_t max_alert_kind_length = 32;
constexpr double max_elevation_deg = 90;
constexpr double max_radius_m = 50000;
constexpr uint32_t max_nearest = 1000;
constexpr uint32_t minutes_per_hour = 60;
constexpr uint32_t hours_per_day = 24;

constexpr auto no_limit = std::numeric_limits<uint32_t>::max();

using key_list = std::vector<std::string_view>;

template <class T>
struct named {
  std::string_view name;
  T value;
};

constexpr std::array<named<match>, 4> matches = {{
    {"any", match::any},
    {"all", match::all},
    {"avg", match::avg},
    {"sum", match::sum},
}};

constexpr std::array<named<aggregate_fn>, 6> functions = {{
  {"avg", aggregate_fn::avg},
  {"min", aggregate_fn::min},
  {"max", aggregate_fn::max},
  {"sum", aggregate_fn::sum},
  {"count", aggregate_fn::count},
  {"p95", aggregate_fn::p95},
}};

constexpr std::array<named<grouping>, 3> groupings = {{
  {"none", grouping::none},
  {"kind", grouping::kind},
  {"district", grouping::district},
}};

// Aggregates per file: a thousand districts' worth of streams each.
constexpr size_t max_aggregates = 10000;
constexpr size_t max_group_entities = 10000;

constexpr std::array<named<plan_kind>, 3> plans = {{
    {"fixed", plan_kind::fixed},
    {"equal", plan_kind::equal},
    {"favour", plan_kind::favour},
}};

constexpr std::array<named<severity>, 3> severities = {{
    {"info", severity::info},
    {"warning", severity::warning},
    {"critical", severity::critical},
}};

constexpr std::array<named<recommendation>, 4> recommendations = {{
    {"collection_route", recommendation::collection_route},
    {"divert_heavy_traffic", recommendation::divert_heavy_traffic},
    {"guide_to_nearest_free", recommendation::guide_to_nearest_free},
    {"notice", recommendation::notice},
}};

constexpr std::array<named<std::string_view>, 3> audiences = {{
    {"operator", "operator"},
    {"emergency", "emergency"},
    {"public", "public"},
}};

// Selectors written as one word; the rest are maps or URNs.
constexpr std::array<named<relation>, 5> scalar_relations = {{
    {"self", relation::self},
    {"approaching", relation::approaching},
    {"leaving", relation::leaving},
    {"segment", relation::segment},
    {"matched", relation::matched},
}};

// What `along` may follow: whatever selects road segments.
constexpr std::array<named<relation>, 5> along_bases = {{
    {"approaching", relation::approaching},
    {"leaving", relation::leaving},
    {"segment", relation::segment},
    {"self", relation::self},
    {"matched", relation::matched},
}};

constexpr std::string_view selector_forms
    = "self, approaching, leaving, segment, matched, an entity URN, or a map"
      " such as { kind: street_lamp, along: approaching }";

template <class T, size_t N>
std::optional<T> lookup(const std::array<named<T>, N>& table,
                        std::string_view name) {
  for (const auto& entry : table)
    if (entry.name == name)
      return entry.value;
  return std::nullopt;
}

template <class T, size_t N>
std::string name_of(const std::array<named<T>, N>& table, T value) {
  for (const auto& entry : table)
    if (entry.value == value)
      return std::string{entry.name};
  return "?";
}

template <class Range>
std::string joined(const Range& names) {
  std::string result;
  for (const auto& name : names) {
    if (!result.empty())
      result += ", ";
    result += name;
  }
  return result;
}

template <class T, size_t N>
std::string names_of(const std::array<named<T>, N>& table) {
  std::vector<std::string_view> result;
  for (const auto& entry : table)
    result.push_back(entry.name);
  return joined(result);
}

std::string kind_names() {
  std::vector<std::string_view> result;
  for (auto kind : twin::all_entity_kinds)
    result.push_back(twin::to_string(kind));
  return joined(result);
}

std::string ngsi_type_names() {
  std::vector<std::string_view> result;
  for (auto kind : twin::all_entity_kinds)
    result.push_back(twin::ngsi_type(kind));
  return joined(result);
}

// The snake_case attribute names a rule may compare for entities of `kind`.
std::vector<std::string_view> attribute_names(entity_kind kind) {
  std::vector<std::string_view> result;
  // The names are string literals, so they outlive the state.
  for (const auto& a : twin::attributes(twin::make_state({kind, 0})))
    result.push_back(a.name);
  return result;
}

// A value quoted for a message (twin::quoted), one problem per line.
std::string shown(std::string_view value) {
  return twin::quoted(value, max_shown_length);
}

std::string str(std::string_view text) {
  return std::string{text};
}

// `[a-z0-9][a-z0-9_-]{0,63}`: ids appear in issuers (`rule:<id>`), logs and
// URLs unquoted.
bool valid_rule_id(std::string_view id) {
  auto lower_or_digit
      = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (id.empty() || id.size() > max_id_length || !lower_or_digit(id[0]))
    return false;
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return lower_or_digit(c) || c == '_' || c == '-';
  });
}

// `[a-z_]{1,32}`, like the alert kinds the engine raises itself.
bool valid_derived_name(std::string_view name) {
  return !name.empty() && name.size() <= 32 && name[0] >= 'a' && name[0] <= 'z'
         && std::all_of(name.begin(), name.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                     || c == '_';
            });
}

bool valid_alert_kind(std::string_view kind) {
  return !kind.empty() && kind.size() <= max_alert_kind_length
         && std::all_of(kind.begin(), kind.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || c == '_';
            });
}

// `H:MM` or `HH:MM`, 00:00 .. 23:59, as minutes after midnight.
std::optional<uint32_t> parse_clock(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2
      || text.size() != colon + 3)
    return std::nullopt;
  uint32_t hours = 0;
  uint32_t minutes = 0;
  if (!twin::parse_number(text.substr(0, colon), hours)
      || !twin::parse_number(text.substr(colon + 1), minutes)
      || hours >= hours_per_day || minutes >= minutes_per_hour)
    return std::nullopt;
  return hours * minutes_per_hour + minutes;
}

size_t line_of(const YAML::Node& node) {
  // A missing key's node has no mark (and throws when asked for one).
  if (!node || node.Mark().is_null())
    return 0;
  return static_cast<size_t>(node.Mark().line) + 1;
}

std::string too_large(std::string_view origin, uintmax_t size) {
  return str(origin) + ": " + std::to_string(size) + " bytes; a rule file "
         + "may have at most " + std::to_string(max_rule_file_bytes)
         + " (4 MiB)";
}

// What a rule runs for, as far as the file tells: a kind, the whole city,
// or unknown because its `for_each` or `entity` was wrong (reported
// already, so the checks that need the anchor stay silent).
struct anchor {
  enum class type : uint8_t { kind, whole_city, unknown };
  type what = type::whole_city;
  entity_kind kind = entity_kind::road_segment;
};

// What an action may learn about a clause of its rule.
struct clause_info {
  enum class shape : uint8_t { attribute, other, broken };
  shape what = shape::broken;
  std::optional<entity_kind> kind; ///< what its selector yields, if known
};

// What a rule's selectors are checked against.
struct rule_context {
  anchor where;
  std::vector<clause_info> clauses;
  bool clauses_known = true; ///< false when `when` itself was wrong
};

class reader {
public:
  reader(std::string_view origin, std::string_view city)
      : city_(city), problems_(str(origin), max_reported_problems) {
    result_.origin = str(origin);
  }

  caf::expected<rule_set> run(std::string_view text) {
    if (text.size() > max_rule_file_bytes)
      return caf::make_error(twin::errc::invalid_config,
                             too_large(result_.origin, text.size()));
    try {
      read_root(YAML::Load(str(text)));
    } catch (const YAML::Exception& e) {
      // Syntax errors, and yaml-cpp's depth guard; its messages name the
      // construct, never the offending text.
      problem_at(e.mark.is_null() ? 0 : static_cast<size_t>(e.mark.line) + 1,
                 "YAML: " + e.msg);
    }
    if (!problems_.empty())
      return caf::make_error(twin::errc::invalid_config, problems_.report());
    return std::move(result_);
  }

private:
  // -- reporting -------------------------------------------------------------

  void problem(const YAML::Node& at, const std::string& message) {
    problem_at(line_of(at), message);
  }

  void problem_at(size_t line, const std::string& message) {
    problems_.add(line, message);
  }

  // Checks that `node` is a map with only `allowed` keys, each once, and
  // every `required` one.
  bool check_map(const YAML::Node& node, const std::string& what,
                 const key_list& allowed, const key_list& required) {
    if (!node.IsMap()) {
      problem(node, what + ": expected a map");
      return false;
    }
    std::map<std::string, size_t> seen;
    for (const auto& kv : node) {
      auto key = kv.first.IsScalar() ? kv.first.Scalar() : std::string{};
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        problem(kv.first, what + ": unknown key " + shown(key)
                              + " (allowed: " + joined(allowed) + ")");
      else if (auto [it, fresh] = seen.emplace(key, line_of(kv.first)); !fresh)
        problem(kv.first, what + ": key '" + key + "' repeats line "
                              + std::to_string(it->second));
    }
    for (auto key : required)
      if (!node[str(key)])
        problem(node, what + ": missing key '" + str(key) + "'");
    return true;
  }

  // -- values ----------------------------------------------------------------
  // Each takes the value node (undefined when the key is absent: nullopt,
  // silently) and the key's name for messages; nullopt (reported) when the
  // value is wrong.

  std::optional<std::string> text(const YAML::Node& v, const std::string& what,
                                  std::string_view key) {
    if (!v)
      return std::nullopt;
    if (!v.IsScalar()) {
      problem(v, what + ": '" + str(key) + "' needs a single value");
      return std::nullopt;
    }
    return v.Scalar();
  }

  std::optional<std::string> bounded_text(const YAML::Node& v,
                                          const std::string& what,
                                          std::string_view key,
                                          size_t max_bytes) {
    auto result = text(v, what, key);
    if (result && result->size() > max_bytes) {
      problem(v, what + ": '" + str(key) + "' has "
                     + std::to_string(result->size()) + " bytes, at most "
                     + std::to_string(max_bytes));
      return std::nullopt;
    }
    return result;
  }

  std::optional<double> number(const YAML::Node& v, const std::string& what,
                               std::string_view key) {
    auto t = text(v, what, key);
    if (!t)
      return std::nullopt;
    double result = 0;
    auto status = twin::parse_yaml_number(*t, result);
    if (status == twin::yaml_number::not_finite) {
      problem(v, what + ": '" + str(key) + "' must be a finite number, not "
                     + shown(*t));
      return std::nullopt;
    }
    if (status == twin::yaml_number::not_a_number) {
      problem(v,
              what + ": '" + str(key) + "' must be a number, not " + shown(*t));
      return std::nullopt;
    }
    return result;
  }

  // A number in [lo, hi]; hi infinite for "at least lo".
  std::optional<double> number_in(const YAML::Node& v, const std::string& what,
                                  std::string_view key, double lo, double hi) {
    auto result = number(v, what, key);
    if (!result || (*result >= lo && *result <= hi))
      return result;
    auto range = std::isinf(hi) ? "at least " + twin::shortest(lo)
                                : "in [" + twin::shortest(lo) + ", "
                                      + twin::shortest(hi) + "]";
    problem(v, what + ": '" + str(key) + "' must be " + range + ", not "
                   + twin::shortest(*result));
    return std::nullopt;
  }

  std::optional<uint32_t> whole(const YAML::Node& v, const std::string& what,
                                std::string_view key, uint32_t lo,
                                uint32_t hi) {
    auto t = text(v, what, key);
    if (!t)
      return std::nullopt;
    uint32_t result = 0;
    if (twin::parse_number(*t, result) && result >= lo && result <= hi)
      return result;
    auto range = hi == no_limit ? "of at least " + std::to_string(lo)
                                : "in [" + std::to_string(lo) + ", "
                                      + std::to_string(hi) + "]";
    problem(v, what + ": '" + str(key) + "' must be a whole number " + range
                   + ", not " + shown(*t));
    return std::nullopt;
  }

  std::optional<bool> flag(const YAML::Node& v, const std::string& what,
                           std::string_view key) {
    auto t = text(v, what, key);
    if (!t)
      return std::nullopt;
    if (auto b = twin::parse_yaml_bool(*t))
      return b;
    problem(v, what + ": '" + str(key) + "' must be true or false, not "
                   + shown(*t));
    return std::nullopt;
  }

  std::optional<twin::time_ms>
  duration(const YAML::Node& v, const std::string& what, std::string_view key) {
    auto t = text(v, what, key);
    if (!t)
      return std::nullopt;
    auto result = parse_duration(*t);
    if (!result)
      problem(v, what + ": '" + str(key) + "' is not a duration: " + shown(*t)
                     + " (such as 250ms, 90s, 5m, 1h30m, 2d; at most 366d)");
    return result;
  }

  template <class T, size_t N>
  std::optional<T> choice(const YAML::Node& v, const std::string& what,
                          std::string_view key,
                          const std::array<named<T>, N>& table) {
    auto t = text(v, what, key);
    if (!t)
      return std::nullopt;
    auto result = lookup(table, *t);
    if (!result)
      problem(v, what + ": unknown " + str(key) + " " + shown(*t) + " ("
                     + names_of(table) + ")");
    return result;
  }

  std::optional<entity_kind> kind(const YAML::Node& v, const std::string& what,
                                  std::string_view key) {
    auto t = text(v, what, key);
    if (!t)
      return std::nullopt;
    auto result = twin::parse_entity_kind(*t);
    if (!result)
      problem(v,
              what + ": unknown kind " + shown(*t) + " (" + kind_names() + ")");
    return result;
  }

  // An entity URN of this file's city.
  std::optional<twin::entity_id>
  entity(const YAML::Node& v, const std::string& what, std::string_view key) {
    auto t = text(v, what, key);
    if (!t)
      return std::nullopt;
    auto parsed = twin::parse_urn(*t);
    if (!parsed && parsed.error() == twin::errc::unknown_kind) {
      problem(v, what + ": " + shown(*t) + " names no entity type ("
                     + ngsi_type_names() + ")");
      return std::nullopt;
    }
    if (!parsed) {
      problem(v, what + ": " + shown(*t)
                     + " is not an entity URN"
                       " (urn:ngsi-ld:<Type>:<city>:<number>)");
      return std::nullopt;
    }
    if (parsed->city != city_) {
      problem(v, what + ": " + shown(*t) + " is an entity of city "
                     + shown(parsed->city) + ", not of " + shown(city_));
      return std::nullopt;
    }
    return parsed->id;
  }

  // The first `max` entries of the list `v`; reports a value that is no
  // list, an empty one (unless allowed) and entries past `max`.
  std::vector<YAML::Node> list(const YAML::Node& v, const std::string& what,
                               std::string_view key, size_t max,
                               bool may_be_empty, bool* ok = nullptr) {
    std::vector<YAML::Node> result;
    auto fail = [&](const std::string& message) {
      problem(v, what + ": '" + str(key) + "' " + message);
      if (ok)
        *ok = false;
    };
    if (!v)
      return result;
    if (!v.IsSequence()) {
      fail("must be a list");
      return result;
    }
    if (v.size() == 0 && !may_be_empty)
      fail("must not be empty");
    if (v.size() > max)
      fail("has " + std::to_string(v.size()) + " entries, at most "
           + std::to_string(max));
    for (const auto& entry : v) {
      if (result.size() == max)
        break;
      result.push_back(entry);
    }
    return result;
  }

  // -- rules -----------------------------------------------------------------

  void read_root(const YAML::Node& root) {
    if (!root.IsMap()) {
      // An empty file has no line of its own; name its first.
      problem_at(std::max(line_of(root), size_t{1}),
                 "file: expected a map with 'version' and 'rules'");
      return;
    }
    check_map(root, "file", {"version", "rules", "aggregates", "watch"},
              {"version", "rules"});
    if (auto v = text(root["version"], "file", "version");
        v && *v != std::to_string(supported_version))
      problem(root["version"], "file: unsupported version " + shown(*v)
                                   + ", expected "
                                   + std::to_string(supported_version));
    size_t i = 0;
    for (const auto& n : list(root["rules"], "file", "rules", max_rules, true))
      read_rule(n, i++);
    i = 0;
    std::set<std::string> ids;
    for (const auto& n : list(root["aggregates"], "file", "aggregates",
                              max_aggregates, true))
      read_aggregate(n, i++, ids);
    if (root["watch"])
      read_watch(root["watch"]);
  }

  // -- watch -----------------------------------------------------------------

  void read_watch(const YAML::Node& n) {
    if (!check_map(n, "watch", {"stale_sensors", "actuators"}, {}))
      return;
    if (const auto& s = n["stale_sensors"]) {
      std::string what = "watch: stale_sensors";
      auto& cfg = result_.watch.stale;
      cfg.line = line_of(s);
      if (check_map(s, what, {"of", "factor", "learn", "at_least"}, {"of"})) {
        cfg.enabled = true;
        for (const auto& k : list(s["of"], what, "of", twin::num_entity_kinds,
                                  false))
          if (auto kind_of = kind(k, what, "of"))
            cfg.kinds.push_back(*kind_of);
        if (auto f = number_in(s["factor"], what, "factor", 1.5, 1000))
          cfg.factor = *f;
        if (auto l = whole(s["learn"], what, "learn", 1, 1000))
          cfg.learn = *l;
        if (auto d = duration(s["at_least"], what, "at_least"))
          cfg.at_least_ms = *d;
      }
    }
    if (const auto& a = n["actuators"]) {
      std::string what = "watch: actuators";
      auto& cfg = result_.watch.actuators;
      cfg.line = line_of(a);
      if (check_map(a, what, {"confirm_within"}, {"confirm_within"})) {
        cfg.enabled = true;
        if (auto d = duration(a["confirm_within"], what, "confirm_within"))
          cfg.confirm_within_ms = *d;
      }
    }
  }

  // -- aggregates ------------------------------------------------------------

  void read_aggregate(const YAML::Node& n, size_t i,
                      std::set<std::string>& ids) {
    auto id_text = n.IsMap() && n["id"] && n["id"].IsScalar()
                     ? n["id"].Scalar()
                     : std::string{};
    auto what = valid_rule_id(id_text) ? "aggregate '" + id_text + "'"
                                       : "aggregate #" + std::to_string(i + 1);
    if (!check_map(n, what,
                   {"id", "attribute", "of", "entities", "group_by",
                    "district_m", "function", "window", "every"},
                   {"id", "attribute", "function", "window"}))
      return;
    aggregate a;
    a.line = line_of(n);
    if (auto id = text(n["id"], what, "id")) {
      if (!valid_rule_id(*id))
        problem(n["id"], what + ": 'id' must match [a-z0-9][a-z0-9_-]{0,63}, "
                                "not " + shown(*id));
      else if (!ids.insert(*id).second)
        problem(n["id"], what + ": the id is used by another aggregate");
      a.id = *id;
    }
    if (n["of"] && n["entities"])
      problem(n, what + ": 'of' (kinds) and 'entities' (a named group) "
                        "exclude each other");
    else if (!n["of"] && !n["entities"])
      problem(n, what + ": needs 'of' (a list of kinds) or 'entities' (a "
                        "list of URNs)");
    for (const auto& k : list(n["of"], what, "of", twin::num_entity_kinds,
                              false))
      if (auto kind_of = kind(k, what, "of"))
        a.kinds.push_back(*kind_of);
    for (const auto& e : list(n["entities"], what, "entities",
                              max_group_entities, false))
      if (auto id = entity(e, what, "entities"))
        a.entities.push_back(*id);
    if (auto attr = text(n["attribute"], what, "attribute")) {
      a.attribute = *attr;
      auto kinds = a.kinds;
      for (auto id : a.entities)
        kinds.push_back(id.kind);
      for (auto k : kinds) {
        auto names = attribute_names(k);
        if (std::find(names.begin(), names.end(), *attr) == names.end()) {
          problem(n["attribute"],
                  what + ": " + std::string{twin::to_string(k)}
                    + " has no attribute " + shown(*attr) + " (it has: "
                    + joined(names) + ")");
          break;
        }
      }
    }
    if (auto g = choice(n["group_by"], what, "group_by", groupings))
      a.group = *g;
    if (n["district_m"]) {
      if (a.group != grouping::district)
        problem(n["district_m"],
                what + ": 'district_m' needs 'group_by: district'");
      if (auto d = number_in(n["district_m"], what, "district_m", 10, 50000))
        a.district_m = *d;
    }
    if (auto f = choice(n["function"], what, "function", functions))
      a.fn = *f;
    a.window_ms = duration(n["window"], what, "window").value_or(0);
    a.every_ms = duration(n["every"], what, "every").value_or(a.window_ms);
    if (a.window_ms > 0 && a.every_ms > a.window_ms)
      problem(n["every"], what + ": 'every' must not exceed 'window' (a "
                                 "sliding window moves by less than its "
                                 "length)");
    if (a.every_ms > 0 && a.every_ms < 1000)
      problem(n["every"], what + ": windows close at most once a second");
    else if (a.every_ms > 0 && a.window_ms % a.every_ms != 0)
      problem(n["every"], what + ": 'window' must be a whole number of "
                                 "'every' (windows are made of panes)");
    result_.aggregates.push_back(std::move(a));
  }

  // Names a rule by its id when that is a valid one, else by position.
  static std::string label(const YAML::Node& n, size_t i) {
    auto id = n.IsMap() && n["id"] && n["id"].IsScalar() ? n["id"].Scalar()
                                                         : std::string{};
    if (valid_rule_id(id))
      return "rule '" + id + "'";
    return "rule #" + std::to_string(i + 1);
  }

  void read_rule(const YAML::Node& n, size_t i) {
    auto what = label(n, i);
    if (!check_map(n, what,
                   {"id", "description", "for_each", "entity",
                    "signalised_only", "enabled", "when", "for", "then",
                    "otherwise"},
                   {"id", "when", "then"}))
      return;
    rule r;
    r.line = line_of(n);
    if (auto id = text(n["id"], what, "id")) {
      if (!valid_rule_id(*id))
        problem(n["id"], what + ": id " + shown(*id)
                             + " must match [a-z0-9][a-z0-9_-]{0,63}");
      else if (auto [it, fresh] = ids_.emplace(*id, r.line); !fresh)
        problem(n["id"], what + ": id already used on line "
                             + std::to_string(it->second));
      r.id = *id;
    }
    r.description = bounded_text(n["description"], what, "description",
                                 max_description_bytes)
                        .value_or("");
    rule_context ctx;
    ctx.where = read_anchor(n, what, r);
    r.enabled = flag(n["enabled"], what, "enabled").value_or(true);
    r.hold_ms = duration(n["for"], what, "for").value_or(0);
    size_t num = 0;
    for (const auto& c :
         list(n["when"], what, "when", max_clauses, false, &ctx.clauses_known))
      r.when.push_back(
          read_clause(c, what + " clause " + std::to_string(++num), ctx));
    read_actions(n["then"], what, "then", false, ctx, r.then);
    read_actions(n["otherwise"], what, "otherwise", true, ctx, r.otherwise);
    result_.rules.push_back(std::move(r));
  }

  anchor read_anchor(const YAML::Node& n, const std::string& what, rule& r) {
    anchor result;
    bool both = n["for_each"] && n["entity"];
    if (both) {
      problem(n["entity"], what
                               + ": give 'for_each' (every entity of a kind)"
                                 " or 'entity' (one), not both");
      result.what = anchor::type::unknown;
    }
    if (n["for_each"]) {
      r.for_each = kind(n["for_each"], what, "for_each");
      result.what = anchor::type::unknown;
      if (r.for_each && !both)
        result = {anchor::type::kind, *r.for_each};
    }
    if (n["entity"]) {
      r.entity = entity(n["entity"], what, "entity");
      result.what = anchor::type::unknown;
      if (r.entity && !both)
        result = {anchor::type::kind, r.entity->kind};
    }
    if (auto only = flag(n["signalised_only"], what, "signalised_only")) {
      r.signalised_only = *only;
      // Whether a wrong for_each was meant to be intersection is unknown.
      bool fits = r.for_each == entity_kind::intersection
                  || (n["for_each"] && !r.for_each);
      if (!fits)
        problem(n["signalised_only"],
                what
                    + ": 'signalised_only' is only for for_each:"
                      " intersection");
    }
    return result;
  }

  // -- clauses ---------------------------------------------------------------

  clause read_clause(const YAML::Node& n, const std::string& what,
                     rule_context& ctx) {
    clause result;
    result.line = line_of(n);
    ctx.clauses.emplace_back();
    auto& info = ctx.clauses.back();
    if (!n.IsMap()) {
      problem(n, what + ": expected a map");
      return result;
    }
    bool attribute = static_cast<bool>(n["attribute"]);
    bool sun = n["sun_below"] || n["sun_above"];
    bool time = static_cast<bool>(n["time_between"]);
    if (attribute + sun + time != 1) {
      problem(n, what + (attribute + sun + time == 0 ? ": needs" : ": mixes")
                     + " an attribute ('attribute'), the sun ('sun_below' or"
                       " 'sun_above') or the time ('time_between')");
      check_map(n, what,
                {"attribute", "of", "match", "at_least", "above", "below",
                 "hysteresis", "rate_per", "sun_below", "sun_above",
                 "time_between"},
                {});
      return result;
    }
    info.what = clause_info::shape::other;
    if (time) {
      read_time_clause(n, what, result);
    } else if (sun) {
      read_sun_clause(n, what, result);
    } else {
      info.what = clause_info::shape::attribute;
      info.kind = read_attribute_clause(n, what, ctx, result);
    }
    return result;
  }

  void read_time_clause(const YAML::Node& n, const std::string& what,
                        clause& c) {
    c.what = clause::type::time_of_day;
    check_map(n, what, {"time_between"}, {});
    auto v = n["time_between"];
    if (!v.IsSequence() || v.size() != 2 || !v[0].IsScalar()
        || !v[1].IsScalar()) {
      problem(v, what
                     + ": 'time_between' needs two local times, such as"
                       " [\"22:00\", \"06:00\"]");
      return;
    }
    auto clock = [&](const YAML::Node& t) {
      auto result = parse_clock(t.Scalar());
      if (!result)
        problem(t, what + ": " + shown(t.Scalar())
                       + " is not a time of day HH:MM (00:00 .. 23:59)");
      return result;
    };
    auto from = clock(v[0]);
    auto to = clock(v[1]);
    if (from && to && *from == *to)
      problem(v, what
                     + ": 'time_between' starts and ends at the same time"
                       " (to hold all day, leave the clause out)");
    c.from_min = from.value_or(0);
    c.to_min = to.value_or(0);
  }

  void read_sun_clause(const YAML::Node& n, const std::string& what,
                       clause& c) {
    c.what = clause::type::sun;
    check_map(n, what, {"sun_below", "sun_above", "hysteresis"}, {});
    if (n["sun_below"] && n["sun_above"])
      problem(n, what + ": give one of 'sun_below' and 'sun_above'");
    c.below = number_in(n["sun_below"], what, "sun_below", -max_elevation_deg,
                        max_elevation_deg);
    c.above = number_in(n["sun_above"], what, "sun_above", -max_elevation_deg,
                        max_elevation_deg);
    c.hysteresis = number_in(n["hysteresis"], what, "hysteresis", 0,
                             std::numeric_limits<double>::infinity())
                       .value_or(0);
  }

  // Reads an attribute clause; returns the kind it looks at, when known.
  std::optional<entity_kind> read_attribute_clause(const YAML::Node& n,
                                                   const std::string& what,
                                                   const rule_context& ctx,
                                                   clause& c) {
    c.what = clause::type::attribute;
    check_map(n, what,
              {"attribute", "of", "match", "at_least", "above", "below",
               "hysteresis", "rate_per"},
              {"attribute"});
    auto name = text(n["attribute"], what, "attribute");
    c.attribute = name.value_or("");
    c.of.line = c.line;
    bool of_ok = true;
    if (n["of"]) {
      auto of = read_selector(n["of"], what + " of", false);
      of_ok = of.has_value();
      c.of = of.value_or(c.of);
    }
    auto how = choice(n["match"], what, "match", matches);
    c.how = how.value_or(match::any);
    if (n["at_least"]) {
      if (c.how != match::any && how)
        problem(n["at_least"], what + ": 'at_least' is only for match any");
      else
        c.at_least
            = whole(n["at_least"], what, "at_least", 1, no_limit).value_or(1);
    }
    if (!n["above"] && !n["below"])
      problem(n, what + ": needs 'above' or 'below'");
    else if (n["above"] && n["below"])
      problem(n, what + ": give one of 'above' and 'below'");
    c.above = number(n["above"], what, "above");
    c.below = number(n["below"], what, "below");
    c.hysteresis = number_in(n["hysteresis"], what, "hysteresis", 0,
                             std::numeric_limits<double>::infinity())
                       .value_or(0);
    c.rate_per_ms = duration(n["rate_per"], what, "rate_per");
    if (!of_ok)
      return std::nullopt;
    auto result = kind_of(c.of, what + " of", ctx);
    if (result && name)
      check_attribute(n["attribute"], what, *result, *name);
    return result;
  }

  void check_attribute(const YAML::Node& at, const std::string& what,
                       entity_kind kind, const std::string& name) {
    auto names = attribute_names(kind);
    if (std::find(names.begin(), names.end(), name) == names.end())
      problem(at, what + ": " + str(twin::to_string(kind))
                      + " has no attribute " + shown(name)
                      + " (it has: " + joined(names) + ")");
  }

  // -- selectors -------------------------------------------------------------

  // Reads a selector's syntax; `kind_of` checks it against the rule.
  std::optional<selector>
  read_selector(const YAML::Node& n, const std::string& what, bool in_action) {
    selector result;
    result.line = line_of(n);
    if (n.IsScalar() && n.Scalar().starts_with("urn:")) {
      auto id = entity(n, what, "entity");
      if (!id)
        return std::nullopt;
      result.rel = relation::entity;
      result.id = *id;
      return result;
    }
    if (n.IsScalar()) {
      auto rel = lookup(scalar_relations, n.Scalar());
      if (!rel) {
        problem(n, what + ": unknown selector " + shown(n.Scalar()) + " ("
                       + str(selector_forms) + ")");
        return std::nullopt;
      }
      result.rel = *rel;
      // The word alone means the inputs of the first clause.
      if (*rel == relation::matched && !in_action) {
        problem(n, what + ": 'matched' is only for actions");
        return std::nullopt;
      }
      return result;
    }
    if (!n.IsMap()) {
      problem(n, what + ": expected a selector (" + str(selector_forms) + ")");
      return std::nullopt;
    }
    return read_selector_map(n, what, in_action, result);
  }

  std::optional<selector> read_selector_map(const YAML::Node& n,
                                            const std::string& what,
                                            bool in_action, selector result) {
    const key_list relation_keys
        = {"along", "within_m", "nearest", "all", "entity", "matched"};
    key_list given;
    for (auto key : relation_keys)
      if (n[str(key)])
        given.push_back(key);
    if (given.size() != 1) {
      problem(n,
              what + ": a selector map takes exactly one of "
                  + joined(relation_keys)
                  + (given.empty() ? "" : " (it has " + joined(given) + ")"));
      check_map(n, what,
                {"kind", "clause", "along", "within_m", "nearest", "all",
                 "entity", "matched"},
                {});
      return std::nullopt;
    }
    auto key = given[0];
    key_list allowed{key};
    // `all` names its kind itself; only `along: matched` picks a clause.
    if (key != "all")
      allowed.push_back("kind");
    if (key == "along")
      allowed.push_back("clause");
    bool ok = check_map(n, what, allowed, {});
    if (n["kind"] && key != "all") {
      result.kind = kind(n["kind"], what, "kind");
      ok = ok && result.kind;
    }
    if ((key == "along" || key == "within_m" || key == "nearest")
        && !n["kind"]) {
      problem(n, what + ": '" + str(key) + "' needs 'kind'");
      ok = false;
    }
    auto matched_only_in_actions = [&](const YAML::Node& at) {
      if (in_action)
        return true;
      problem(at, what + ": 'matched' is only for actions");
      return false;
    };
    auto v = n[str(key)];
    if (key == "along") {
      result.rel = relation::along;
      auto base = choice(v, what, "along", along_bases);
      ok = ok && base;
      result.base = base.value_or(relation::self);
      if (base == relation::matched)
        ok = matched_only_in_actions(v) && ok;
      if (n["clause"] && base == relation::matched) {
        auto number = whole(n["clause"], what, "clause", 1, no_limit);
        ok = ok && number;
        result.clause = number.value_or(1) - 1;
      } else if (n["clause"]) {
        problem(n["clause"], what + ": 'clause' is only for along: matched");
        ok = false;
      }
    } else if (key == "within_m") {
      result.rel = relation::within;
      auto radius = number(v, what, "within_m");
      if (radius && (*radius <= 0 || *radius > max_radius_m))
        problem(v, what + ": 'within_m' must be above 0 and at most "
                       + twin::shortest(max_radius_m) + " (metres), not "
                       + twin::shortest(*radius));
      ok = ok && radius && *radius > 0 && *radius <= max_radius_m;
      result.radius_m = radius.value_or(0);
    } else if (key == "nearest") {
      result.rel = relation::nearest;
      auto k = whole(v, what, "nearest", 1, max_nearest);
      ok = ok && k;
      result.k = k.value_or(0);
    } else if (key == "all") {
      result.rel = relation::all;
      result.kind = kind(v, what, "all");
      ok = ok && result.kind;
    } else if (key == "entity") {
      result.rel = relation::entity;
      auto id = entity(v, what, "entity");
      ok = ok && id;
      if (id && result.kind && *result.kind != id->kind) {
        problem(n, what + ": kind " + str(twin::to_string(*result.kind))
                       + " never fits the entity, a "
                       + str(twin::to_string(id->kind)));
        ok = false;
      }
      result.id = id.value_or(twin::entity_id{});
    } else {
      result.rel = relation::matched;
      auto number = whole(v, what, "matched", 1, no_limit);
      ok = matched_only_in_actions(v) && ok && number;
      result.clause = number.value_or(1) - 1;
    }
    if (!ok)
      return std::nullopt;
    return result;
  }

  // The kind of the entities `s` selects, when the file tells; reports
  // relations the rule's anchor or clauses cannot give.
  std::optional<entity_kind> kind_of(const selector& s, const std::string& what,
                                     const rule_context& ctx) {
    switch (s.rel) {
      case relation::self:
      case relation::approaching:
      case relation::leaving:
      case relation::segment:
        return relative(s.rel, s.line, what, ctx.where);
      case relation::entity:
        return s.id.kind;
      case relation::along:
        check_along(s, what, ctx);
        return s.kind;
      case relation::within:
      case relation::nearest:
        if (ctx.where.what == anchor::type::whole_city)
          problem_at(s.line, what
                                 + ": a rule for the whole city has no place"
                                   " to measure from (use for_each or"
                                   " entity)");
        return s.kind;
      case relation::all:
        return s.kind;
      case relation::matched: {
        auto result = matched_kind(s.clause, s.line, what, ctx);
        if (result && s.kind && *result != *s.kind)
          problem_at(s.line, what + ": kind " + str(twin::to_string(*s.kind))
                                 + " never matches: clause "
                                 + std::to_string(s.clause + 1) + " looks at "
                                 + str(twin::to_string(*result)));
        return s.kind ? s.kind : result;
      }
    }
    return std::nullopt;
  }

  // The kind that self, approaching, leaving or segment yields; reports a
  // relation the anchor does not have.
  std::optional<entity_kind> relative(relation rel, size_t line,
                                      const std::string& what,
                                      const anchor& where) {
    auto result = rel == relation::self
                      ? std::nullopt
                      : std::optional{entity_kind::road_segment};
    auto name = rel == relation::self      ? "self"
                : rel == relation::segment ? "segment"
                : rel == relation::leaving ? "leaving"
                                           : "approaching";
    auto needs = rel == relation::segment
                     ? "a placed thing (not a road_segment or intersection)"
                     : "an intersection";
    if (where.what == anchor::type::unknown)
      return result;
    if (where.what == anchor::type::whole_city) {
      problem_at(line,
                 what + ": a rule for the whole city has no "
                     + (rel == relation::self
                            ? std::string{"self"}
                            : std::string{"anchor, so no "} + name
                                  + " (it needs a rule for " + needs + ")"));
      return result;
    }
    if (rel == relation::self)
      return where.kind;
    bool fits = rel == relation::segment
                    ? where.kind != entity_kind::road_segment
                          && where.kind != entity_kind::intersection
                    : where.kind == entity_kind::intersection;
    if (!fits)
      problem_at(line, what + ": " + name + " needs a rule for " + needs
                           + ", not for " + str(twin::to_string(where.kind)));
    return result;
  }

  // `along` follows road segments: its base must select some.
  void check_along(const selector& s, const std::string& what,
                   const rule_context& ctx) {
    if (s.base == relation::matched) {
      auto k = matched_kind(s.clause, s.line, what, ctx);
      if (k && *k != entity_kind::road_segment)
        problem_at(s.line, what + ": along matched needs clause "
                               + std::to_string(s.clause + 1)
                               + " to look at road segments, not at "
                               + str(twin::to_string(*k)));
      return;
    }
    auto k = relative(s.base, s.line, what, ctx.where);
    if (s.base == relation::self && k && *k != entity_kind::road_segment)
      problem_at(s.line, what
                             + ": along self needs a rule for a road_segment,"
                               " not for "
                             + str(twin::to_string(*k)));
  }

  // The kind clause `index` (0-based) looks at; reports a clause that does
  // not exist or has no inputs to match.
  std::optional<entity_kind> matched_kind(uint32_t index, size_t line,
                                          const std::string& what,
                                          const rule_context& ctx) {
    if (!ctx.clauses_known)
      return std::nullopt;
    auto number = std::to_string(size_t{index} + 1);
    if (index >= ctx.clauses.size()) {
      problem_at(line, what + ": matched clause " + number
                           + " does not exist (the rule has "
                           + std::to_string(ctx.clauses.size()) + ")");
      return std::nullopt;
    }
    const auto& info = ctx.clauses[index];
    if (info.what == clause_info::shape::other)
      problem_at(line, what + ": clause " + number
                           + " is not an attribute clause, so it matches no"
                             " entities");
    return info.kind;
  }

  // -- actions ---------------------------------------------------------------

  void read_actions(const YAML::Node& v, const std::string& rule_what,
                    std::string_view key, bool may_be_empty,
                    const rule_context& ctx, std::vector<action>& out) {
    size_t num = 0;
    for (const auto& n : list(v, rule_what, key, max_actions, may_be_empty))
      out.push_back(read_action(
          n, rule_what + " " + str(key) + " action " + std::to_string(++num),
          ctx));
  }

  action read_action(const YAML::Node& n, const std::string& what,
                     const rule_context& ctx) {
    action result;
    result.line = line_of(n);
    if (!n.IsMap()) {
      problem(n, what + ": expected a map");
      return result;
    }
    int num_kinds = static_cast<bool>(n["command"])
                    + static_cast<bool>(n["alert"])
                    + static_cast<bool>(n["recommend"])
                    + static_cast<bool>(n["derive"]);
    if (num_kinds != 1) {
      problem(n, what + (num_kinds == 0 ? ": needs" : ": has more than")
                     + " one of 'command', 'alert', 'recommend', 'derive'");
      check_map(n, what,
                {"command", "to", "level", "plan", "green_s", "mode", "alert",
                 "severity", "text", "recommend", "audience", "candidates",
                 "candidate_attribute", "candidate_above", "derive", "value",
                 "function", "clause"},
                {});
    } else if (n["command"]) {
      read_command(n, what, ctx, result);
    } else if (n["alert"]) {
      read_alert(n, what, result);
    } else if (n["recommend"]) {
      read_recommend(n, what, ctx, result);
    } else {
      read_derive(n, what, ctx, result);
    }
    return result;
  }

  void read_derive(const YAML::Node& n, const std::string& what,
                   const rule_context& ctx, action& a) {
    a.what = action_kind::derive;
    check_map(n, what, {"derive", "value", "function", "clause"}, {});
    if (auto name = text(n["derive"], what, "derive")) {
      if (!valid_derived_name(*name))
        problem(n["derive"], what + ": derived attribute " + shown(*name)
                                 + " must match [a-z][a-z0-9_]{0,31}");
      a.derived = *name;
    }
    if (n["value"] && (n["function"] || n["clause"])) {
      problem(n, what + ": 'value' (a constant) excludes 'function' and "
                        "'clause'");
      return;
    }
    if (n["value"]) {
      a.constant = number(n["value"], what, "value");
      return;
    }
    a.function = choice(n["function"], what, "function", functions)
                   .value_or(aggregate_fn::avg);
    if (n["clause"]) {
      auto number = whole(n["clause"], what, "clause", 1, no_limit);
      if (number) {
        a.clause = *number - 1;
        matched_kind(*a.clause, line_of(n["clause"]), what, ctx);
      }
    } else if (ctx.clauses_known
               && std::all_of(ctx.clauses.begin(), ctx.clauses.end(),
                              [](const clause_info& c) {
                                return c.what == clause_info::shape::other;
                              })) {
      problem(n, what + ": the rule has no attribute clause to derive from "
                        "(give a constant 'value')");
    }
  }

  void read_command(const YAML::Node& n, const std::string& what,
                    const rule_context& ctx, action& a) {
    a.what = action_kind::command;
    auto name = text(n["command"], what, "command");
    auto parsed = name ? twin::parse_command_kind(*name) : std::nullopt;
    // A flag and a.command rather than the optional: g++ 12 takes the
    // optional for uninitialised where it is read (-Wmaybe-uninitialized).
    bool known = parsed.has_value();
    a.command = parsed.value_or(twin::command_kind::dim);
    if (name && !known)
      problem(n["command"], what + ": unknown command " + shown(*name)
                                + " (dim, signal_plan, signal_mode)");
    // Each command takes its own settings; with an unknown one, any.
    key_list keys{"command", "to"};
    if (!known || a.command == twin::command_kind::dim)
      keys.push_back("level");
    if (!known || a.command == twin::command_kind::signal_plan)
      keys.insert(keys.end(), {"plan", "green_s"});
    if (!known || a.command == twin::command_kind::signal_mode)
      keys.push_back("mode");
    check_map(n, what, keys, {"to"});
    if (auto to
        = n["to"] ? read_selector(n["to"], what + " to", true) : std::nullopt) {
      a.to = *to;
      auto k = kind_of(*to, what + " to", ctx);
      if (k && known && *k != twin::actuator_of(a.command))
        problem_at(to->line, what + ": action on a non-actuator: "
                                 + str(twin::to_string(*k)) + " takes no "
                                 + str(twin::to_string(a.command))
                                 + " command");
    }
    if (!known)
      return;
    switch (a.command) {
      case twin::command_kind::dim:
        if (!n["level"])
          problem(n, what + ": dim needs 'level' (0 .. 1)");
        a.level = number_in(n["level"], what, "level", 0, 1).value_or(0);
        break;
      case twin::command_kind::signal_plan:
        a.plan
            = choice(n["plan"], what, "plan", plans).value_or(plan_kind::fixed);
        read_green_times(n, what, a);
        break;
      case twin::command_kind::signal_mode:
        read_signal_mode(n, what, a);
        break;
    }
  }

  void read_green_times(const YAML::Node& n, const std::string& what,
                        action& a) {
    auto v = n["green_s"];
    // How many values each plan takes (plan_kind in rule.hpp).
    using range = std::pair<size_t, size_t>;
    auto [lo, hi] = a.plan == plan_kind::fixed ? range{1, twin::max_plan_phases}
                    : a.plan == plan_kind::equal ? range{1, 1}
                                                 : range{2, 2};
    if (!v) {
      problem(n, what
                     + ": signal_plan needs 'green_s' (seconds of green per"
                       " phase)");
      return;
    }
    if (!v.IsSequence()) {
      problem(v, what
                     + ": 'green_s' must be a list of seconds, such as"
                       " [45, 20]");
      return;
    }
    auto count = v.size();
    if (count < lo || count > hi)
      problem(v, what + ": plan " + name_of(plans, a.plan) + " takes "
                     + (lo == hi
                            ? std::to_string(lo)
                            : std::to_string(lo) + " .. " + std::to_string(hi))
                     + (hi == 1 ? " 'green_s' value" : " 'green_s' values")
                     + ", not " + std::to_string(count));
    for (const auto& x : v) {
      if (a.green_s.size() == twin::max_plan_phases)
        break;
      if (auto s
          = whole(x, what, "green_s", twin::min_green_s, twin::max_green_s))
        a.green_s.push_back(static_cast<uint16_t>(*s));
    }
  }

  void read_signal_mode(const YAML::Node& n, const std::string& what,
                        action& a) {
    if (!n["mode"]) {
      problem(n, what
                     + ": signal_mode needs 'mode' (normal, all_red,"
                       " flashing)");
      return;
    }
    auto name = text(n["mode"], what, "mode");
    if (!name)
      return;
    auto mode = twin::parse_signal_mode(*name);
    if (!mode)
      problem(n["mode"], what + ": unknown mode " + shown(*name)
                             + " (normal, all_red, flashing)");
    a.mode = mode.value_or(twin::signal_mode::normal);
  }

  void read_alert(const YAML::Node& n, const std::string& what, action& a) {
    a.what = action_kind::alert;
    check_map(n, what, {"alert", "severity", "text"}, {});
    if (auto k = text(n["alert"], what, "alert")) {
      if (!valid_alert_kind(*k))
        problem(n["alert"], what + ": alert kind " + shown(*k)
                                + " must match [a-z_]{1,32} (threshold,"
                                  " rate_of_change, ...)");
      a.alert_kind = *k;
    }
    a.level_of_urgency = choice(n["severity"], what, "severity", severities)
                             .value_or(severity::warning);
    a.text = bounded_text(n["text"], what, "text", max_text_bytes).value_or("");
  }

  void read_recommend(const YAML::Node& n, const std::string& what,
                      const rule_context& ctx, action& a) {
    a.what = action_kind::recommend;
    auto r = choice(n["recommend"], what, "recommend", recommendations);
    using enum recommendation;
    bool guide = r == guide_to_nearest_free;
    bool needs_candidates = guide || r == divert_heavy_traffic;
    // Keys that would have no effect are refused, as unknown ones are.
    key_list keys{"recommend", "audience", "severity", "text"};
    if (!r || needs_candidates)
      keys.push_back("candidates");
    if (!r || guide)
      keys.insert(keys.end(), {"candidate_attribute", "candidate_above"});
    check_map(n, what, keys, {});
    a.recommend = r.value_or(notice);
    a.audience = str(choice(n["audience"], what, "audience", audiences)
                         .value_or("operator"));
    a.level_of_urgency = choice(n["severity"], what, "severity", severities)
                             .value_or(severity::warning);
    a.text = bounded_text(n["text"], what, "text", max_text_bytes).value_or("");
    if (auto attr = text(n["candidate_attribute"], what, "candidate_attribute"))
      a.candidate_attribute = *attr;
    a.candidate_above
        = number(n["candidate_above"], what, "candidate_above").value_or(0);
    if (!r || !needs_candidates)
      return;
    if (!n["candidates"]) {
      problem(n, what + ": " + name_of(recommendations, *r)
                     + " needs 'candidates'");
      return;
    }
    auto candidates
        = read_selector(n["candidates"], what + " candidates", true);
    if (!candidates)
      return;
    a.candidates = *candidates;
    auto k = kind_of(*candidates, what + " candidates", ctx);
    if (!k)
      return;
    if (!guide && *k != entity_kind::road_segment)
      problem_at(candidates->line,
                 what
                     + ": divert_heavy_traffic candidates must be road"
                       " segments, not "
                     + str(twin::to_string(*k)));
    if (guide)
      check_attribute(n["candidate_attribute"] ? n["candidate_attribute"]
                                               : n["candidates"],
                      what, *k, a.candidate_attribute);
  }

  std::string city_;
  rule_set result_;
  std::map<std::string, size_t> ids_; // id -> line
  twin::problem_list problems_;
};

} // namespace

caf::expected<rule_set> parse_rule_file(std::string_view yaml_text,
                                        std::string_view origin,
                                        std::string_view city_name) {
  return reader{origin, city_name}.run(yaml_text);
}

caf::expected<rule_set> load_rule_file(const std::string& path,
                                       std::string_view city_name) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec)
    return caf::make_error(twin::errc::io_failure, "cannot read rule file "
                                                       + path + ": "
                                                       + ec.message());
  // Measured before reading, so a huge file costs no memory.
  if (size > max_rule_file_bytes)
    return caf::make_error(twin::errc::invalid_config, too_large(path, size));
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return caf::make_error(twin::errc::io_failure,
                           "cannot open rule file " + path);
  // One byte past the limit: a file that grew since it was measured is
  // still refused by parse_rule_file, not cut short.
  std::string text(max_rule_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad())
    return caf::make_error(twin::errc::io_failure,
                           "cannot read rule file " + path);
  text.resize(static_cast<size_t>(in.gcount()));
  return parse_rule_file(text, path, city_name);
}

} // namespace citytwin::rules
