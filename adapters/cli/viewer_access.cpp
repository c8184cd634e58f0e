// adapters/cli/viewer_access.cpp
#include "adapters/cli/viewer_access.hpp"

#include "adapters/broker/secret_hash.hpp"
#include "twin/error.hpp"
#include "twin/wall_clock.hpp"

#include <chrono>

namespace citytwin::cli {

namespace {

twin::time_ms wall_clock_ms() {
  return twin::now_ms();
}

std::optional<twin::time_ms> expiry_of(const twin::access_config& cfg,
                                       const twin::principal& who) {
  for (const auto& t : cfg.tokens)
    if (t.name == who.name)
      return t.expires;
  return std::nullopt;
}

std::string describe(const twin::principal& who) {
  if (who.k == twin::principal::kind::anonymous)
    return "anonymous";
  return "token " + who.name + " (" + std::string{twin::to_string(who.r)}
         + " of " + who.tenant + ")";
}

} // namespace

viz::stream_access
make_viewer_access(std::shared_ptr<const twin::access_config> cfg,
                   std::string city) {
  using result_type = std::variant<viz::stream_grant, viz::stream_refusal>;
  return [cfg, city](const std::string& token,
                     const std::string& tenant) -> result_type {
    auto who = twin::anonymous_principal();
    std::optional<twin::time_ms> expires;
    if (!token.empty()) {
      auto auth = twin::authenticate_token(*cfg, broker::sha256(token),
                                           wall_clock_ms());
      if (const auto* failure = std::get_if<twin::auth_failure>(&auth)) {
        auto reason = *failure == twin::auth_failure::expired
                          ? viz::refusal_reason::expired_token
                          : viz::refusal_reason::unknown_token;
        return viz::stream_refusal{
            reason, "token refused: " + std::string{twin::to_string(*failure)}};
      }
      who = std::get<twin::principal>(std::move(auth));
      expires = expiry_of(*cfg, who);
    }
    auto wanted = !tenant.empty()       ? tenant
                  : !who.tenant.empty() ? who.tenant
                                        : city;
    if (wanted != city)
      return viz::stream_refusal{viz::refusal_reason::wrong_tenant,
                                 viz::wrong_tenant_message(wanted, city)};
    uint32_t kinds = 0;
    for (auto kind : twin::all_entity_kinds)
      if (twin::may_read(*cfg, who, city, twin::ngsi_type(kind)))
        kinds |= viz::kind_bit(kind);
    if (kinds == 0)
      return viz::stream_refusal{viz::refusal_reason::no_access,
                                 who.k == twin::principal::kind::anonymous
                                     ? "anonymous viewers may read nothing of '"
                                           + city + "': pass token=<secret>"
                                     : describe(who) + " may read nothing of '"
                                           + city + "'"};
    return viz::stream_grant{kinds, expires, describe(who)};
  };
}

viz::monitor_access
make_monitor_access(std::shared_ptr<const twin::access_config> cfg,
                    std::string city) {
  return [cfg, city](const std::string& token) -> viz::monitor_decision {
    if (token.empty())
      return {viz::monitor_view::open_data, false};
    auto auth = twin::authenticate_token(*cfg, broker::sha256(token),
                                         wall_clock_ms());
    const auto* who = std::get_if<twin::principal>(&auth);
    if (who == nullptr)
      return {viz::monitor_view::unknown_token, false};
    auto full = who->r == twin::role::monitor
                || (who->r == twin::role::admin && who->tenant == city);
    return {full ? viz::monitor_view::full : viz::monitor_view::open_data,
            true};
  };
}

viz::operations_access
make_operations_access(std::shared_ptr<const twin::access_config> cfg,
                       std::string city) {
  return [cfg, city](const std::string& token) {
    viz::operations_decision result;
    if (token.empty())
      return result;
    auto auth = twin::authenticate_token(*cfg, broker::sha256(token),
                                         wall_clock_ms());
    const auto* who = std::get_if<twin::principal>(&auth);
    if (who == nullptr) {
      result.unknown_token = true;
      return result;
    }
    result.authenticated = true;
    result.who = std::string{twin::to_string(who->r)} + ":" + who->name;
    if (who->tenant != city)
      return result;
    using twin::role;
    result.may_read = who->r != role::app && who->r != role::monitor;
    result.may_ack = who->r == role::operator_ || who->r == role::emergency
                     || who->r == role::admin;
    result.may_audit = who->r == role::admin;
    result.may_plan = who->r == role::operator_ || who->r == role::planner
                      || who->r == role::admin;
    result.may_issue = who->r == role::operator_ || who->r == role::admin;
    return result;
  };
}

} // namespace citytwin::cli
