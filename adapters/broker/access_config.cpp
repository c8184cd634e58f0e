// adapters/broker/access_config.cpp
#include "adapters/broker/access_config.hpp"

#include "twin/broker/broker_error.hpp"
#include "twin/broker/ngsi_entity.hpp"
#include "adapters/broker/outbound_policy.hpp"
#include "adapters/broker/secret_hash.hpp"
#include "twin/iso_time.hpp"
#include "twin/entity_kind.hpp"
#include "twin/problem_list.hpp"
#include "twin/text.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace citytwin::broker {

namespace {

using twin::access_config;

// Past a thousand problems the file is not what the reader thinks it is.
constexpr size_t max_reported_problems = 1000;

// Longest value echoed in a message. Generated secrets (43 characters) and
// hashes (64) are longer, so a secret pasted into the wrong field never
// reaches a log.
constexpr size_t max_shown_length = 32;

constexpr int supported_version = 1;

// Names fit a DNS label, so they can become host or topic parts later.
constexpr size_t max_name_length = 63;

using key_list = std::initializer_list<std::string_view>;

// A value quoted for a message, or a placeholder when it might be secret.
std::string shown(std::string_view value) {
  bool plain = !value.empty() && value.size() <= max_shown_length
               && std::all_of(value.begin(), value.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c))
                           || std::string_view{"_-.:*"}.find(c)
                                  != std::string_view::npos;
                  });
  return plain ? "'" + std::string{value} + "'" : "(value not shown)";
}

// Tenant, token and key names: `[a-z0-9][a-z0-9_-]{0,62}`, so they fit
// URLs, topics and log lines unquoted.
bool valid_access_name(std::string_view name) {
  auto lower_or_digit
      = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (name.empty() || name.size() > max_name_length || !lower_or_digit(name[0]))
    return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return lower_or_digit(c) || c == '_' || c == '-';
  });
}

// An ISO 8601 time with an explicit zone. Parsing under two different
// default offsets gives the same instant only when the text names its zone.
std::optional<twin::time_ms> parse_utc_time(std::string_view text) {
  auto x = twin::parse_iso_time(text, 0);
  auto y = twin::parse_iso_time(text, 60);
  if (!x || x != y)
    return std::nullopt;
  return x;
}

int line_of(const YAML::Node& node) {
  return node.Mark().is_null() ? 0 : node.Mark().line + 1;
}

class reader {
public:
  reader(std::string_view origin, std::optional<std::filesystem::path> base)
      : origin_(origin),
        base_(std::move(base)),
        problems_(std::string{origin}, max_reported_problems) {
    // A secret that hashes like no secret at all could never log in:
    // `authenticate_token` takes it for a missing credential.
    hashes_.emplace(twin::empty_secret_sha256, "an empty secret");
  }

  caf::expected<access_config> run(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string{text});
    } catch (const YAML::Exception& e) {
      // yaml-cpp's messages name the construct, never the offending text.
      problem_at(e.mark.is_null() ? 0 : e.mark.line + 1, "YAML: " + e.msg);
      return caf::make_error(twin::errc::invalid_config, problems_.report());
    }
    read_root(root);
    if (!problems_.empty())
      return caf::make_error(twin::errc::invalid_config, problems_.report());
    return std::move(result_);
  }

private:
  void problem(const YAML::Node& at, const std::string& message) {
    problem_at(line_of(at), message);
  }

  void problem_at(int line, const std::string& message) {
    problems_.add(static_cast<size_t>(std::max(line, 0)), message);
  }

  // Checks that `node` is a map with only `allowed` keys, each once, and
  // every `required` one.
  bool check_map(const YAML::Node& node, const std::string& what,
                 key_list allowed, key_list required) {
    if (!node.IsMap()) {
      problem(node, what + ": expected a map");
      return false;
    }
    std::map<std::string, int> seen;
    for (const auto& kv : node) {
      const auto& key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        problem(kv.first, what + ": unknown key " + shown(key));
      else if (auto [it, fresh] = seen.emplace(key, line_of(kv.first)); !fresh)
        problem(kv.first, what + ": key '" + key + "' repeats line "
                              + std::to_string(it->second));
    }
    for (auto key : required)
      if (!node[std::string{key}])
        problem(node, what + ": missing key '" + std::string{key} + "'");
    return true;
  }

  // The text of `node[key]`; nullopt (reported) when it is not a scalar,
  // nullopt (silent) when absent.
  std::optional<std::string> text(const YAML::Node& node, const char* key,
                                  const std::string& what) {
    auto value = node[key];
    if (!value)
      return std::nullopt;
    if (!value.IsScalar() || value.Scalar().empty()) {
      problem(value, what + ": '" + key + "' needs a single value");
      return std::nullopt;
    }
    return value.Scalar();
  }

  template <class T>
  std::optional<T> positive(const YAML::Node& node, const char* key,
                            const std::string& what) {
    auto str = text(node, key, what);
    T value = 0;
    if (!str)
      return std::nullopt;
    if (!twin::parse_number(*str, value) || value == 0) {
      problem(node[key],
              what + ": '" + key + "' must be a whole number above 0");
      return std::nullopt;
    }
    return value;
  }

  void read_root(const YAML::Node& root) {
    if (!check_map(root, "file",
                   {"version", "open_data", "limits", "tenants", "tokens",
                    "api_keys"},
                   {"version", "tenants"}))
      return;
    if (auto v = text(root, "version", "file");
        v && *v != std::to_string(supported_version))
      problem(root["version"], "unsupported version " + shown(*v)
                                   + ", expected "
                                   + std::to_string(supported_version));
    if (auto od = root["open_data"];
        od
        && check_map(od, "open_data", {"requests_per_minute"},
                     {"requests_per_minute"}))
      if (auto rate
          = positive<uint32_t>(od, "requests_per_minute", "open_data"))
        result_.open_data_rate_per_minute = *rate;
    if (auto l = root["limits"]; l)
      read_limits(l);
    // Tenants first, so tokens and keys can be checked against them.
    for_each(root, "tenants",
             [this](const YAML::Node& n, size_t i) { read_tenant(n, i); });
    if (root["tenants"] && result_.tenants.empty() && problems_.empty())
      problem(root["tenants"], "no tenants");
    for_each(root, "tokens",
             [this](const YAML::Node& n, size_t i) { read_token(n, i); });
    for_each(root, "api_keys",
             [this](const YAML::Node& n, size_t i) { read_api_key(n, i); });
    check_shares();
  }

  template <class F>
  void for_each(const YAML::Node& root, const char* key, F f) {
    auto seq = root[key];
    if (!seq)
      return;
    if (!seq.IsSequence()) {
      problem(seq, std::string{key} + ": expected a list");
      return;
    }
    for (size_t i = 0; i < seq.size(); ++i)
      f(seq[i], i);
  }

  // Names an entry by its name when that is a valid one, else by position.
  std::string label(const char* kind, const YAML::Node& n, size_t i) {
    auto name = n.IsMap() && n["name"] && n["name"].IsScalar()
                    ? n["name"].Scalar()
                    : std::string{};
    if (valid_access_name(name))
      return std::string{kind} + " '" + name + "'";
    return std::string{kind} + " #" + std::to_string(i + 1);
  }

  // A name that is valid and unique in `names`; nullopt (reported) if not.
  std::optional<std::string> unique_name(const YAML::Node& n,
                                         const std::string& what,
                                         std::map<std::string, int>& names) {
    auto name = text(n, "name", what);
    if (!name)
      return std::nullopt;
    if (!valid_access_name(*name)) {
      problem(n["name"], what + ": name " + shown(*name)
                             + " must match [a-z0-9][a-z0-9_-]{0,62}");
      return std::nullopt;
    }
    auto [it, fresh] = names.emplace(*name, line_of(n));
    if (!fresh)
      problem(n["name"], what + ": name already used on line "
                             + std::to_string(it->second));
    return name;
  }

  std::optional<std::string> tenant_ref(const YAML::Node& n,
                                        const std::string& what) {
    auto tenant = text(n, "tenant", what);
    if (tenant && tenant_names_.count(*tenant) == 0) {
      problem(n["tenant"], what + ": unknown tenant " + shown(*tenant));
      return std::nullopt;
    }
    return tenant;
  }

  // The secret's hash; reports malformed values and reuse without ever
  // echoing the value.
  std::optional<std::array<uint8_t, 32>> hash(const YAML::Node& n,
                                              const std::string& what) {
    auto hex = text(n, "sha256", what);
    if (!hex)
      return std::nullopt;
    auto result = parse_sha256_hex(*hex);
    if (!result) {
      problem(n["sha256"], what + ": sha256 must be 64 hex digits");
      return std::nullopt;
    }
    auto [it, fresh] = hashes_.emplace(*result, what);
    if (!fresh)
      problem(n["sha256"], what + ": same secret as " + it->second);
    return result;
  }

  void read_limits(const YAML::Node& n) {
    auto& l = result_.limits;
    if (!check_map(n, "limits",
                   {"subscriptions_per_tenant", "subscriptions_per_principal",
                    "outbound_subscriptions", "kept_alive_connections",
                    "anonymous_requests_per_minute", "api_connections"},
                   {}))
      return;
    auto set = [&](const char* key, auto& field) {
      using T = std::decay_t<decltype(field)>;
      if (auto x = positive<T>(n, key, "limits"))
        field = *x;
    };
    set("subscriptions_per_tenant", l.subscriptions_per_tenant);
    set("subscriptions_per_principal", l.subscriptions_per_principal);
    set("outbound_subscriptions", l.outbound_subscriptions);
    set("kept_alive_connections", l.kept_alive_connections);
    set("anonymous_requests_per_minute", l.anonymous_requests_per_minute);
    set("api_connections", l.api_connections);
  }

  void read_notify_allow(const YAML::Node& n, const std::string& what,
                         twin::tenant_config& t) {
    if (!n.IsScalar()) {
      problem(n, what + " notify_allow: expected a network like "
                        "127.0.0.1/32 or 10.0.0.0/8:8000-8999");
      return;
    }
    if (auto net = parse_allowed_network(n.Scalar()); !net)
      problem(n, what + " notify_allow: " + detail_of(net.error()));
    else
      t.notify_allow.push_back(n.Scalar());
  }

  void read_tenant(const YAML::Node& n, size_t i) {
    auto what = label("tenant", n, i);
    if (!check_map(n, what,
                   {"name", "city", "rules", "sharing", "notify_allow"},
                   {"name"}))
      return;
    twin::tenant_config t;
    auto name = unique_name(n, what, tenant_names_);
    if (auto city = text(n, "city", what))
      t.city = resolve_path(n["city"], what, "city", *city);
    if (auto rules = text(n, "rules", what)) {
      if (!n["city"])
        problem(n["rules"], what + ": 'rules' needs the tenant's 'city'");
      t.rules = resolve_path(n["rules"], what, "rule", *rules);
    }
    for_each(n, "sharing",
             [&](const YAML::Node& r, size_t) { read_rule(r, what, t); });
    for_each(n, "notify_allow", [&](const YAML::Node& r, size_t) {
      read_notify_allow(r, what, t);
    });
    if (!name)
      return;
    t.name = *name;
    result_.tenants.push_back(std::move(t));
  }

  // A file the tenants file names, relative to the tenants file.
  std::string resolve_path(const YAML::Node& at, const std::string& what,
                           const std::string& kind, const std::string& file) {
    if (!base_)
      return file;
    auto path = std::filesystem::path{file};
    if (path.is_relative())
      path = (*base_ / path).lexically_normal();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      problem(at, what + ": " + kind + " file '" + file + "' not found");
    return path.string();
  }

  void read_rule(const YAML::Node& n, const std::string& tenant,
                 twin::tenant_config& t) {
    auto what = tenant + " sharing";
    if (!check_map(n, what, {"type", "level", "with", "licence"},
                   {"type", "level"}))
      return;
    twin::sharing_rule rule;
    auto type = text(n, "type", what);
    // Any NGSI-LD type may be shared, not only the twin's own kinds:
    // entities created through the API (a Building) belong to tenants too.
    if (type && *type != twin::any_entity_type && !valid_name(*type)) {
      problem(n["type"], what + ": invalid entity type " + shown(*type)
                             + " (an NGSI-LD type such as StreetLight, or *)");
    } else if (type) {
      what += " of " + *type;
      auto same = [&](const auto& r) { return r.entity_type == *type; };
      if (std::any_of(t.sharing.begin(), t.sharing.end(), same))
        problem(n["type"], what + ": a second rule for the same type");
      rule.entity_type = *type;
    }
    auto level = text(n, "level", what);
    auto parsed = level ? twin::parse_sharing_level(*level) : std::nullopt;
    if (level && !parsed)
      problem(n["level"], what + ": unknown level " + shown(*level)
                              + " (private, shared, open, commercial)");
    rule.level = parsed.value_or(twin::sharing_level::private_data);
    rule.licence = text(n, "licence", what).value_or("");
    // Without a known level, whether `with` belongs is unknowable.
    if (parsed)
      read_with(n, what, rule);
    t.sharing.push_back(std::move(rule));
  }

  void read_with(const YAML::Node& n, const std::string& what,
                 twin::sharing_rule& rule) {
    auto with = n["with"];
    bool shared = rule.level == twin::sharing_level::shared;
    if (!with) {
      if (shared)
        problem(n, what + ": level shared needs 'with'");
      return;
    }
    if (!shared) {
      problem(with, what + ": 'with' is only for level shared");
      return;
    }
    if (!with.IsSequence() || with.size() == 0) {
      problem(with, what + ": 'with' must be a non-empty list");
      return;
    }
    for (const auto& entry : with) {
      if (!entry.IsScalar()) {
        problem(entry, what + ": 'with' entries are names");
        continue;
      }
      // Checked once every tenant and token is known (check_shares).
      shares_.push_back({line_of(entry), what, entry.Scalar()});
      rule.shared_with.push_back(entry.Scalar());
    }
  }

  void read_token(const YAML::Node& n, size_t i) {
    auto what = label("token", n, i);
    if (!check_map(n, what, {"name", "tenant", "role", "sha256", "expires"},
                   {"name", "tenant", "role", "sha256"}))
      return;
    twin::token_config t;
    auto name = unique_name(n, what, token_names_);
    auto tenant = tenant_ref(n, what);
    auto role = text(n, "role", what);
    if (role && !twin::parse_role(*role))
      problem(n["role"], what + ": unknown role " + shown(*role)
                             + " (admin, operator, planner, emergency, viewer,"
                               " app, monitor)");
    auto secret = hash(n, what);
    if (auto expires = text(n, "expires", what)) {
      t.expires = parse_utc_time(*expires);
      if (!t.expires)
        problem(n["expires"], what
                                  + ": expires must be an ISO 8601 time"
                                    " with zone, e.g. 2030-01-01T00:00:00Z");
    }
    if (!name || !tenant || !role || !twin::parse_role(*role) || !secret)
      return;
    t.name = *name;
    t.tenant = *tenant;
    t.r = *twin::parse_role(*role);
    t.secret_sha256 = *secret;
    result_.tokens.push_back(std::move(t));
  }

  void read_api_key(const YAML::Node& n, size_t i) {
    auto what = label("api key", n, i);
    if (!check_map(n, what, {"name", "tenant", "quota_per_day", "sha256"},
                   {"name", "tenant", "quota_per_day", "sha256"}))
      return;
    auto name = unique_name(n, what, key_names_);
    auto tenant = tenant_ref(n, what);
    auto quota = positive<uint64_t>(n, "quota_per_day", what);
    auto secret = hash(n, what);
    if (!name || !tenant || !quota || !secret)
      return;
    result_.api_keys.push_back(
        twin::api_key_config{*name, *tenant, *quota, *secret});
  }

  // `with` names a tenant, or `app:<token>` for a token whose role is app
  // (any other role would make the entry silently useless).
  void check_shares() {
    for (const auto& [line, what, name] : shares_) {
      if (!name.starts_with(twin::app_prefix)) {
        if (tenant_names_.count(name) == 0)
          problem_at(line,
                     what + ": shared with unknown tenant " + shown(name));
        continue;
      }
      auto token = name.substr(twin::app_prefix.size());
      auto match = [&](const auto& t) { return t.name == token; };
      auto it
          = std::find_if(result_.tokens.begin(), result_.tokens.end(), match);
      if (it == result_.tokens.end()) {
        // A token that failed its own checks was reported already.
        if (token_names_.count(token) == 0)
          problem_at(line,
                     what + ": shared with unknown token " + shown(token));
      } else if (it->r != twin::role::app) {
        problem_at(line, what + ": token " + shown(token) + " has role "
                             + std::string{to_string(it->r)} + ", not app");
      }
    }
  }

  struct share {
    int line;
    std::string what;
    std::string name;
  };

  std::string_view origin_;
  std::optional<std::filesystem::path> base_;
  access_config result_;
  std::map<std::string, int> tenant_names_;
  std::map<std::string, int> token_names_;
  std::map<std::string, int> key_names_;
  std::map<std::array<uint8_t, 32>, std::string> hashes_;
  std::vector<share> shares_;
  twin::problem_list problems_;
};

} // namespace

caf::expected<access_config> load_access_config(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return caf::make_error(twin::errc::io_failure, "cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return caf::make_error(twin::errc::io_failure, "cannot read " + path);
  auto base = std::filesystem::path{path}.parent_path();
  return reader{path, base}.run(text.str());
}

caf::expected<access_config> parse_access_config(std::string_view yaml_text,
                                                 std::string_view origin) {
  return reader{origin, std::nullopt}.run(yaml_text);
}

} // namespace citytwin::broker
