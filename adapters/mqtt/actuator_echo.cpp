// adapters/mqtt/actuator_echo.cpp
#include "adapters/mqtt/actuator_echo.hpp"

#include "actors/type_ids.hpp"
#include "twin/civil_time.hpp"
#include "twin/command.hpp"
#include "twin/json_text.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <chrono>

namespace citytwin::mqtt {

namespace {

// QoS 1: a device that misses a command keeps a wrong setting.
constexpr int command_qos = 1;

constexpr auto connect_timeout = std::chrono::seconds(5);
constexpr auto drain_timeout = std::chrono::seconds(2);

void append_common(std::string& out, uint32_t commands, twin::time_ms last) {
  out += ",\"commands\":";
  out += std::to_string(commands);
  out += ",\"lastCommand\":";
  twin::append_json_string(out, twin::format_iso_time(last));
  out += '}';
}

} // namespace

std::string actuator_topic(std::string_view tenant, std::string_view city,
                           const twin::entity_id& id, std::string_view root) {
  std::string result{root};
  result += '/';
  result += tenant;
  result += "/cmd/";
  result += twin::to_string(id.kind);
  result += '/';
  result += twin::to_urn(id, city);
  return result;
}

std::string actuator_setting(const twin::entity_state& state) {
  std::string out;
  if (const auto* lamp = std::get_if<twin::street_lamp_state>(&state.detail)) {
    out = "{\"dimLevel\":";
    twin::append_json_number(out, lamp->dim_level);
    append_common(out, lamp->commands, lamp->last_command);
  } else if (const auto* light
             = std::get_if<twin::intersection_state>(&state.detail)) {
    out = "{\"signalMode\":";
    // NGSI-LD's spelling, as clients send it (parse_signal_mode takes both).
    auto mode = light->mode == twin::signal_mode::all_red
                  ? std::string_view{"allRed"}
                  : twin::to_string(light->mode);
    twin::append_json_string(out, mode);
    out += ",\"greenTimes\":[";
    for (size_t i = 0; i < light->num_phases && i < twin::max_plan_phases;
         ++i) {
      if (i > 0)
        out += ',';
      out += std::to_string(light->green_s[i]);
    }
    out += ']';
    append_common(out, light->commands, light->last_command);
  }
  return out;
}

actors::subscription_filter actuator_filter() {
  return actors::subscription_filter{}
    .with(twin::entity_kind::street_lamp)
    .with(twin::entity_kind::intersection);
}

caf::expected<running_echo> start_actuator_echo(caf::actor_system& sys,
                                                const actors::twin_actor& twin,
                                                const broker_url& broker,
                                                std::string tenant,
                                                std::string city) {
  auto out = publisher::connect(broker, connect_timeout,
                                "citytwin-actuators-" + tenant);
  if (!out)
    return std::move(out.error());
  running_echo result;
  result.out = std::shared_ptr<publisher>{std::move(*out)};
  result.actor = sys.spawn(actuator_echo, result.out, std::move(tenant),
                           std::move(city));
  caf::scoped_actor self{sys};
  caf::error failure;
  self->request(twin, connect_timeout, caf::subscribe_atom_v, result.actor,
                actuator_filter())
    .receive([](caf::ok_atom) {},
             [&failure](caf::error& err) { failure = std::move(err); });
  if (failure) {
    caf::anon_send_exit(result.actor, caf::exit_reason::user_shutdown);
    return failure;
  }
  return result;
}

void stop_actuator_echo(const actors::twin_actor& twin, running_echo& echo) {
  if (!echo.actor)
    return;
  caf::anon_send(twin, caf::unsubscribe_atom_v, echo.actor);
  caf::anon_send_exit(echo.actor, caf::exit_reason::user_shutdown);
  echo.actor = nullptr;
  echo.out->drain(drain_timeout);
}

actors::subscriber_actor::behavior_type
actuator_echo(actors::subscriber_actor::stateful_pointer<actuator_echo_state>
                self,
              std::shared_ptr<publisher> out, std::string tenant,
              std::string city) {
  self->state.out = std::move(out);
  self->state.tenant = std::move(tenant);
  self->state.city = std::move(city);
  return {
    [self](const twin::delta_batch& batch) {
      auto& st = self->state;
      for (const auto& d : batch) {
        if ((d.changed & twin::actuation_bit) == 0)
          continue; // a reading: the device itself reported it
        auto setting = actuator_setting(d.state);
        if (setting.empty())
          continue;
        // Queued in libmosquitto and sent by its network thread: no wait.
        if (st.out->publish(actuator_topic(st.tenant, st.city, d.state.id),
                            setting,
                            command_qos, true))
          ++st.failed;
        else
          ++st.published;
      }
    },
  };
}

} // namespace citytwin::mqtt
