// adapters/broker/twin_mirror.cpp
#include "adapters/broker/twin_mirror.hpp"

#include "actors/shard.hpp"
#include "actors/type_ids.hpp"
#include "twin/broker/broker_error.hpp"
#include "twin/command.hpp"
#include "twin/iso_time.hpp"
#include "twin/error.hpp"
#include "twin/quantity.hpp"
#include "twin/text.hpp"
#include "twin/wall_clock.hpp"

#include <caf/send.hpp>

#include <chrono>
#include <unordered_map>

namespace citytwin::broker {

void seed_live_entities(tenant_space& space, const twin::city& c) {
  std::vector<entity_store::live_seed> seeds;
  seeds.reserve(c.num_entities());
  auto add = [&](twin::entity_state state, live_geometry where) {
    auto id = twin::to_urn(state.id, c.name);
    seeds.push_back({std::move(id), state, std::move(where)});
  };
  for (auto* v : c.roads.intersections())
    add(twin::initial_state(*v), {v->where, nullptr});
  for (auto* s : c.roads.segments())
    add(twin::initial_state(*s),
        {{}, std::make_shared<const std::vector<twin::geo_point>>(
                 c.roads.geometry(*s))});
  for (const auto& p : c.things)
    add(twin::initial_state(p), {p.where, nullptr});
  space.store().add_live(std::move(seeds));
}

live_writer make_live_writer(std::vector<actors::router_actor> routers,
                             archive::keep_fn keep) {
  return [routers = std::move(routers), keep = std::move(keep)](
             const std::string& id, const json& attrs) -> caf::expected<json> {
    auto target = twin::parse_urn(id);
    if (!target)
      return make_problem(broker_errc::bad_request_data,
                          "not a twin entity id");
    json rest = json::object();
    twin::reading_batch readings;
    auto now = twin::now_ms();
    for (const auto& [name, attr] : attrs.items()) {
      // Stored beside the entity, a command would never reach the device.
      if (twin::parse_command_attribute(name))
        return make_problem(broker_errc::bad_request_data,
                            "'" + name
                              + "' is a command: send it alone, with PATCH "
                                "/ngsi-ld/v1/entities/{id}/attrs/"
                              + name);
      auto q = twin::parse_quantity(name);
      if (!q) {
        rest[name] = attr;
        continue;
      }
      if (!twin::accepts(target->id.kind, *q))
        return make_problem(broker_errc::bad_request_data,
                            "a " + std::string{twin::ngsi_type(target->id.kind)}
                                + " does not measure '" + name + "'");
      const auto& value = attr.is_object() ? attr.value("value", json{}) : attr;
      if (!value.is_number())
        return make_problem(broker_errc::bad_request_data,
                            "'" + name + "' needs a numeric value");
      // The twin would drop a value outside the quantity's range after the
      // API had answered 204; the caller hears about it now instead.
      const auto& range = twin::info(*q);
      auto x = value.get<double>();
      if (!(x >= range.min && x <= range.max))
        return make_problem(broker_errc::bad_request_data,
                            "'" + name + "' must lie in ["
                                + twin::shortest(range.min) + ", "
                                + twin::shortest(range.max) + "] "
                                + std::string{range.unit});
      auto time = now;
      if (attr.is_object() && attr.contains("observedAt")) {
        auto at = attr["observedAt"].is_string() ? twin::parse_iso_time(
                      attr["observedAt"].get<std::string>())
                                                 : std::nullopt;
        if (!at)
          return make_problem(broker_errc::bad_request_data,
                              "observedAt of '" + name
                                  + "' is not an ISO 8601 time");
        time = *at;
      }
      readings.push_back({target->id, time, value.get<double>(), *q});
    }
    if (!readings.empty() && keep)
      if (auto err = keep(readings))
        return make_problem(broker_errc::service_unavailable,
                            "the readings could not be archived ("
                              + twin::describe(err) + "); nothing was kept");
    if (!readings.empty()) {
      // Readings of one entity always pass its shard's ROUTER, so they
      // stay in order with MQTT and feed readings of the same entity.
      auto& router = routers[actors::shard_of(target->id, routers.size())];
      caf::anon_send(router, actors::observe_atom_v, std::move(readings));
    }
    return rest;
  };
}

} // namespace citytwin::broker
