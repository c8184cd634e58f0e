// twin/access.hpp
#pragma once

#include "twin/reading.hpp"
#include "twin/service_limits.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace citytwin::twin {

/// Who may do what, and which tenant's data another party may see. Plain
/// data and pure functions, so the HTTP layer asks one place and the
/// security tests need no server. Configuration is read by
/// `adapters/broker/access_config` (format: `data/access/README.md`).

/// What a token holder is. Numbering is append only.
enum class role : uint8_t {
  /// Everything in its own tenant, including configuration.
  admin = 1,
  /// Runs the city: reads, writes readings and commands, subscribes.
  operator_,
  /// Reads and subscribes, for what-if work; never changes live state.
  planner,
  /// Reads and subscribes; emergency services watch, they don't steer.
  emergency,
  /// Reads snapshots only: dashboards and public screens.
  viewer,
  /// A third-party application: reads and subscribes.
  app,
  /// A Prometheus scrape token: reads the server's counters (`/metrics`,
  /// full `/api/status` and `/api/stream` on the viewer port), whatever
  /// its tenant; no tenant data action at all.
  monitor = 7,
};

/// The config name: `admin`, `operator`, `planner`, …
std::string_view to_string(role r);

/// Parses a config name; nullopt for anything else.
std::optional<role> parse_role(std::string_view name);

/// What a request wants to do with a tenant's data.
enum class action : uint8_t {
  read = 1,
  write,
  subscribe,
  manage,
};

/// The config name: `read`, `write`, `subscribe`, `manage`.
std::string_view to_string(action a);

/// The permission table, within the principal's own tenant:
///
/// | role      | read | write | subscribe | manage |
/// |-----------|------|-------|-----------|--------|
/// | admin     | yes  | yes   | yes       | yes    |
/// | operator  | yes  | yes   | yes       |        |
/// | planner   | yes  |       | yes       |        |
/// | emergency | yes  |       | yes       |        |
/// | viewer    | yes  |       |           |        |
/// | app       | yes  |       | yes       |        |
/// | monitor   |      |       |           |        |
bool permits(role r, action a);

/// How far a tenant publishes one entity type. Numbering is append only.
enum class sharing_level : uint8_t {
  /// The owning tenant only (the default).
  private_data = 1,
  /// Plus the tenants and app tokens named in `shared_with`.
  shared,
  /// Everyone, including anonymous callers of the open-data endpoint.
  open_data,
  /// Holders of an API key issued by the owning tenant (metered).
  commercial,
};

/// The config name: `private`, `shared`, `open`, `commercial`.
std::string_view to_string(sharing_level level);

/// Parses a config name; nullopt for anything else.
std::optional<sharing_level> parse_sharing_level(std::string_view name);

/// The wildcard entity type of a sharing rule.
constexpr std::string_view any_entity_type = "*";

/// The prefix of a `shared_with` entry that names an app token.
constexpr std::string_view app_prefix = "app:";

/// Requests per minute of the open-data endpoint when the config is silent.
constexpr uint32_t default_open_data_rate_per_minute = 60;

/// One line of a tenant's sharing policy.
struct sharing_rule {
  /// An NGSI-LD entity type (`StreetLight`), or `*` for every type.
  std::string entity_type;
  sharing_level level = sharing_level::private_data;
  /// Tenant names, or `app:<token name>`; only for `shared`.
  std::vector<std::string> shared_with;
  /// Licence published with open or commercial data; may be empty.
  std::string licence;
};

/// One city held by the server, isolated from the others.
struct tenant_config {
  std::string name;
  /// Path of a city file; empty when the tenant has none yet.
  std::string city;
  std::vector<sharing_rule> sharing;
  /// Networks (CIDR, optional port range) that notifications may reach
  /// although they are loopback, private or link-local: `127.0.0.1/32`,
  /// `10.0.0.0/8:8000-8999`. Empty: public addresses only.
  std::vector<std::string> notify_allow;
  /// Path of the tenant's rule file (data/rules/README.md); empty: none.
  /// For the served city, `serve --rules` takes precedence.
  std::string rules;
};

/// A bearer token. Only the SHA-256 of its secret is ever stored.
struct token_config {
  std::string name;
  std::string tenant;
  role r = role::viewer;
  std::array<uint8_t, 32> secret_sha256{};
  /// The token stops working at this instant; nullopt: never.
  std::optional<time_ms> expires;
};

/// A commercial API key: reads the owning tenant's commercial data within a
/// daily quota. API keys authenticate with role `app`.
struct api_key_config {
  std::string name;
  /// The tenant whose commercial data the key buys.
  std::string tenant;
  uint64_t quota_per_day = 0;
  std::array<uint8_t, 32> secret_sha256{};
};

/// Everything the server knows about tenants and credentials.
struct access_config {
  std::vector<tenant_config> tenants;
  std::vector<token_config> tokens;
  std::vector<api_key_config> api_keys;
  uint32_t open_data_rate_per_minute = default_open_data_rate_per_minute;
  service_limits limits;
};

/// Who is asking, once authenticated.
struct principal {
  enum class kind : uint8_t { anonymous, token, api_key };
  kind k = kind::anonymous;
  /// Token or API key name; empty for anonymous callers.
  std::string name;
  /// The principal's own tenant (an API key's data owner); empty for
  /// anonymous callers.
  std::string tenant;
  /// Meaningless for anonymous callers, `app` for API keys.
  role r = role::viewer;
};

/// The anonymous caller of the open-data endpoint.
principal anonymous_principal();

/// The tenant of that name; nullptr when there is none.
const tenant_config* find_tenant(const access_config& cfg,
                                 std::string_view name);

/// The level of one entity type: an exact rule beats `*`; no rule at all
/// means private.
sharing_level level_of(const tenant_config& tenant,
                       std::string_view entity_type);

/// May `who` read `entity_type` data of `tenant`? The own tenant reads
/// what its role permits. Anonymous callers see open data only. Another
/// tenant's token sees open data and what is shared with its tenant, or
/// with `app:<token name>` when its role is app. An API key sees open data
/// and the commercial data of its tenant. Unknown tenants: never.
bool may_read(const access_config& cfg, const principal& who,
              std::string_view tenant, std::string_view entity_type);

/// May `who` change `entity_type` data of `tenant`? Only a token of that
/// tenant whose role permits writing.
bool may_write(const access_config& cfg, const principal& who,
               std::string_view tenant, std::string_view entity_type);

/// May `who` subscribe to `entity_type` changes of `tenant`? The role must
/// permit subscribing and `may_read` must hold; anonymous callers never.
bool may_subscribe(const access_config& cfg, const principal& who,
                   std::string_view tenant, std::string_view entity_type);

/// Why a credential was refused; the HTTP layer maps each to a status.
enum class auth_failure : uint8_t {
  /// No credential at all (the hash of the empty secret).
  missing = 1,
  /// A credential that matches nothing.
  unknown,
  /// A token whose `expires` lies at or before now.
  expired,
};

/// The config name: `missing`, `unknown`, `expired`.
std::string_view to_string(auth_failure failure);

/// SHA-256 of the empty string. Callers hash "" when a request carries no
/// credential, so one code path serves both cases.
extern const std::array<uint8_t, 32> empty_secret_sha256;

/// Compares two hashes in time independent of where they differ, so
/// response times do not reveal how much of a guess was right.
bool constant_time_equal(const std::array<uint8_t, 32>& x,
                         const std::array<uint8_t, 32>& y);

/// Finds the token whose secret hashes to `secret_hash`. Every token is
/// compared, matched or not, so timing reveals nothing.
std::variant<principal, auth_failure>
authenticate_token(const access_config& cfg,
                   const std::array<uint8_t, 32>& secret_hash, time_ms now);

/// Finds the API key whose secret hashes to `secret_hash` (keys do not
/// expire; quotas are metered elsewhere).
std::variant<principal, auth_failure>
authenticate_api_key(const access_config& cfg,
                     const std::array<uint8_t, 32>& secret_hash);

/// The principal a token or API key of this name authenticates as, if
/// it still exists and has not expired at `now`: for things a principal
/// owns that outlive its request (a subscription restored after a
/// restart keeps its owner's rights, no more).
std::optional<principal> principal_named(const access_config& cfg,
                                         std::string_view name, time_ms now);

} // namespace citytwin::twin
