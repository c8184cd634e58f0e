// twin/access.cpp
#include "twin/access.hpp"

#include <algorithm>

namespace citytwin::twin {

namespace {

constexpr std::array<std::string_view, 7> role_names
    = {"admin", "operator", "planner", "emergency", "viewer", "app",
       "monitor"};

constexpr std::array<std::string_view, 4> action_names
    = {"read", "write", "subscribe", "manage"};

constexpr std::array<std::string_view, 4> level_names
    = {"private", "shared", "open", "commercial"};

constexpr std::array<std::string_view, 3> failure_names
    = {"missing", "unknown", "expired"};

// Enum values start at 1, so the value minus one indexes the name tables.
template <class Enum, size_t N>
std::string_view name_of(Enum x, const std::array<std::string_view, N>& tbl) {
  auto index = static_cast<size_t>(x) - 1;
  return index < N ? tbl[index] : std::string_view{"invalid"};
}

template <class Enum, size_t N>
std::optional<Enum> parse_name(std::string_view name,
                               const std::array<std::string_view, N>& tbl) {
  for (size_t i = 0; i < N; ++i)
    if (tbl[i] == name)
      return static_cast<Enum>(i + 1);
  return std::nullopt;
}

bool contains(const std::vector<std::string>& names, std::string_view x) {
  return std::find(names.begin(), names.end(), x) != names.end();
}

// The rule that decides an entity type: an exact one, else the first
// wildcard (validation rejects duplicates), else none.
const sharing_rule* rule_for(const tenant_config& tenant,
                             std::string_view entity_type) {
  const sharing_rule* result = nullptr;
  for (const auto& rule : tenant.sharing) {
    if (rule.entity_type == entity_type)
      return &rule;
    if (rule.entity_type == any_entity_type && result == nullptr)
      result = &rule;
  }
  return result;
}

// Whether a `shared` rule names the principal: its tenant, or the token
// itself when it is an app (an app can be let in on its own, without
// opening the data to its whole tenant).
bool names(const sharing_rule& rule, const principal& who) {
  if (contains(rule.shared_with, who.tenant))
    return true;
  return who.r == role::app
         && contains(rule.shared_with, std::string{app_prefix} + who.name);
}

} // namespace

std::string_view to_string(role r) {
  return name_of(r, role_names);
}

std::optional<role> parse_role(std::string_view name) {
  return parse_name<role>(name, role_names);
}

std::string_view to_string(action a) {
  return name_of(a, action_names);
}

bool permits(role r, action a) {
  switch (r) {
    case role::admin:
      return true;
    case role::operator_:
      return a != action::manage;
    case role::planner:
    case role::emergency:
    case role::app:
      return a == action::read || a == action::subscribe;
    case role::viewer:
      return a == action::read;
    case role::monitor:
      // Counters only: see the viewer port's monitoring routes.
      return false;
  }
  // Out-of-range values (a corrupt cast) get nothing.
  return false;
}

std::string_view to_string(sharing_level level) {
  return name_of(level, level_names);
}

std::optional<sharing_level> parse_sharing_level(std::string_view name) {
  return parse_name<sharing_level>(name, level_names);
}

std::string_view to_string(auth_failure failure) {
  return name_of(failure, failure_names);
}

principal anonymous_principal() {
  return principal{principal::kind::anonymous, {}, {}, role::viewer};
}

const tenant_config* find_tenant(const access_config& cfg,
                                 std::string_view name) {
  for (const auto& t : cfg.tenants)
    if (t.name == name)
      return &t;
  return nullptr;
}

sharing_level level_of(const tenant_config& tenant,
                       std::string_view entity_type) {
  const auto* rule = rule_for(tenant, entity_type);
  return rule != nullptr ? rule->level : sharing_level::private_data;
}

bool may_read(const access_config& cfg, const principal& who,
              std::string_view tenant, std::string_view entity_type) {
  const auto* owner = find_tenant(cfg, tenant);
  if (owner == nullptr)
    return false;
  const auto* rule = rule_for(*owner, entity_type);
  auto level = rule != nullptr ? rule->level : sharing_level::private_data;
  switch (who.k) {
    case principal::kind::anonymous:
      return level == sharing_level::open_data;
    case principal::kind::api_key:
      return level == sharing_level::open_data
             || (level == sharing_level::commercial && who.tenant == tenant);
    case principal::kind::token:
      break;
  }
  if (!permits(who.r, action::read))
    return false;
  if (who.tenant == tenant || level == sharing_level::open_data)
    return true;
  return level == sharing_level::shared && names(*rule, who);
}

// The entity type is not consulted yet: a tenant's own writers may change
// every type. It is in the signature so per-type rules need no API change.
bool may_write(const access_config& cfg, const principal& who,
               std::string_view tenant, std::string_view) {
  return who.k == principal::kind::token && who.tenant == tenant
         && permits(who.r, action::write)
         && find_tenant(cfg, tenant) != nullptr;
}

bool may_subscribe(const access_config& cfg, const principal& who,
                   std::string_view tenant, std::string_view entity_type) {
  return who.k != principal::kind::anonymous
         && permits(who.r, action::subscribe)
         && may_read(cfg, who, tenant, entity_type);
}

const std::array<uint8_t, 32> empty_secret_sha256 = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
    0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
    0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
};

bool constant_time_equal(const std::array<uint8_t, 32>& x,
                         const std::array<uint8_t, 32>& y) {
  // OR of all byte differences, with no early exit; volatile keeps the
  // optimizer from turning the loop into a short-circuiting memcmp.
  volatile uint8_t diff = 0;
  for (size_t i = 0; i < x.size(); ++i)
    diff = diff | static_cast<uint8_t>(x[i] ^ y[i]);
  return diff == 0;
}

std::variant<principal, auth_failure>
authenticate_token(const access_config& cfg,
                   const std::array<uint8_t, 32>& secret_hash, time_ms now) {
  if (constant_time_equal(secret_hash, empty_secret_sha256))
    return auth_failure::missing;
  // Scan every token without stopping at a match; validation guarantees
  // hashes are unique, so at most one matches.
  const token_config* match = nullptr;
  for (const auto& t : cfg.tokens)
    if (constant_time_equal(secret_hash, t.secret_sha256))
      match = &t;
  if (match == nullptr)
    return auth_failure::unknown;
  if (match->expires && *match->expires <= now)
    return auth_failure::expired;
  return principal{principal::kind::token, match->name, match->tenant,
                   match->r};
}

std::variant<principal, auth_failure>
authenticate_api_key(const access_config& cfg,
                     const std::array<uint8_t, 32>& secret_hash) {
  if (constant_time_equal(secret_hash, empty_secret_sha256))
    return auth_failure::missing;
  const api_key_config* match = nullptr;
  for (const auto& k : cfg.api_keys)
    if (constant_time_equal(secret_hash, k.secret_sha256))
      match = &k;
  if (match == nullptr)
    return auth_failure::unknown;
  return principal{principal::kind::api_key, match->name, match->tenant,
                   role::app};
}

std::optional<principal> principal_named(const access_config& cfg,
                                         std::string_view name, time_ms now) {
  for (const auto& t : cfg.tokens)
    if (t.name == name) {
      if (t.expires && *t.expires <= now)
        return std::nullopt;
      return principal{principal::kind::token, t.name, t.tenant, t.r};
    }
  for (const auto& k : cfg.api_keys)
    if (k.name == name)
      return principal{principal::kind::api_key, k.name, k.tenant, role::app};
  return std::nullopt;
}

} // namespace citytwin::twin
