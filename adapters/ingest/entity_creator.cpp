// adapters/ingest/entity_creator.cpp
#include "adapters/ingest/entity_creator.hpp"

#include "actors/shard.hpp"
#include "actors/type_ids.hpp"
#include "twin/error.hpp"

#include <caf/send.hpp>

#include <limits>

namespace citytwin::ingest {

namespace {

using twin::entity_kind;

// Short kind levels that feeds and the recorded datasets use in topics
// (data/datasets/*.conf). Weather stations measure temperature and
// humidity, which the twin keeps in air quality sensors.
struct topic_alias {
  std::string_view level;
  entity_kind kind;
};

constexpr std::array<topic_alias, 9> aliases = {{
  {"traffic", entity_kind::traffic_counter},
  {"parking", entity_kind::parking_sensor},
  {"air", entity_kind::air_quality},
  {"pm", entity_kind::air_quality},
  {"weather", entity_kind::air_quality},
  {"noise", entity_kind::noise_sensor},
  {"energy", entity_kind::energy_meter},
  {"lamp", entity_kind::street_lamp},
  {"bin", entity_kind::waste_bin},
}};

rejection refuse(reject_reason why, std::string detail) {
  return {why, std::move(detail)};
}

} // namespace

std::optional<unknown_id_policy>
parse_unknown_id_policy(std::string_view text) {
  if (text == "reject")
    return unknown_id_policy::reject;
  if (text == "create")
    return unknown_id_policy::create;
  return std::nullopt;
}

std::optional<twin::entity_kind> kind_of_topic_level(std::string_view level) {
  if (auto kind = twin::parse_entity_kind(level))
    return kind;
  if (auto kind = twin::parse_ngsi_type(level))
    return kind;
  for (const auto& alias : aliases)
    if (alias.level == level)
      return alias.kind;
  return std::nullopt;
}

caf::error creation_config::validate() const {
  if (policy == unknown_id_policy::create && !announce)
    return caf::make_error(twin::errc::invalid_config,
                           "creating entities for unknown ids needs a twin "
                           "to announce them to");
  return {};
}

std::function<void(twin::entity_id)>
announce_to_routers(std::vector<actors::router_actor> routers) {
  return [routers = std::move(routers)](twin::entity_id id) {
    caf::anon_send(routers[actors::shard_of(id, routers.size())],
                   actors::create_atom_v, id);
  };
}

entity_creator::entity_creator(creation_config config)
  : config_(std::move(config)) {
  for (auto& [external, id] : config_.known) {
    auto& next = config_.next_number[twin::index_of(id.kind)];
    if (id.number >= next)
      next = id.number == std::numeric_limits<uint32_t>::max() ? id.number
                                                               : id.number + 1;
    if (bound_.emplace(std::move(external), id).second)
      ++num_created_;
  }
  config_.known.clear();
}

resolution entity_creator::resolve(std::string_view external,
                                   std::string_view kind_level,
                                   twin::quantity what) {
  resolution result;
  if (auto i = bound_.find(external); i != bound_.end()) {
    result.id = i->second;
    return result;
  }
  auto quoted = "'" + std::string{external} + "'";
  if (!enabled()) {
    result.refused = refuse(reject_reason::unknown_entity,
                            "no binding for " + quoted);
    return result;
  }
  if (kind_level.empty()) {
    result.refused = refuse(reject_reason::unknown_entity,
                            "no binding for " + quoted
                              + " and no topic to take a kind from");
    return result;
  }
  if (external.empty() || external.size() > defaults::max_external_id) {
    result.refused = refuse(reject_reason::bad_name,
                            "an id to create an entity for has 1 to "
                              + std::to_string(defaults::max_external_id)
                              + " bytes");
    return result;
  }
  auto kind = kind_of_topic_level(kind_level);
  if (!kind || !twin::is_sensor(*kind)) {
    result.refused = refuse(
      reject_reason::not_creatable,
      "no binding for " + quoted + ", and topic kind '"
        + std::string{kind_level}
        + (kind ? "' is not a sensor kind" : "' names no entity kind")
        + ": only sensors are created");
    return result;
  }
  if (!twin::accepts(*kind, what)) {
    result.refused = refuse(reject_reason::unknown_quantity,
                            "no binding for " + quoted + ", and "
                              + std::string{twin::to_string(*kind)}
                              + " has no quantity "
                              + std::string{twin::info(what).name}
                              + ": not created");
    return result;
  }
  auto& next = config_.next_number[twin::index_of(*kind)];
  if (num_created_ >= config_.max_created
      || next == std::numeric_limits<uint32_t>::max()) {
    result.refused = refuse(reject_reason::create_limit,
                            "no binding for " + quoted + ", and "
                              + std::to_string(num_created_)
                              + " entities were created already (limit "
                              + std::to_string(config_.max_created) + ")");
    return result;
  }
  result.id = {*kind, next};
  if (config_.keep)
    if (auto err = config_.keep(external, result.id)) {
      result.refused = refuse(reject_reason::not_recorded,
                              "no entity created for " + quoted + ": "
                                + twin::describe(err));
      return result;
    }
  ++next;
  result.created = true;
  ++num_created_;
  bound_.emplace(std::string{external}, result.id);
  config_.announce(result.id);
  return result;
}

} // namespace citytwin::ingest
