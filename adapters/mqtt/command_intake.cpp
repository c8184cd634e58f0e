// adapters/mqtt/command_intake.cpp
#include "adapters/mqtt/command_intake.hpp"

#include "actors/defaults.hpp"
#include "actors/type_ids.hpp"
#include "twin/command.hpp"
#include "twin/entity_id.hpp"
#include "twin/error.hpp"
#include "twin/json_reader.hpp"
#include "twin/json_text.hpp"
#include "twin/wall_clock.hpp"

#include <caf/send.hpp>

#include <array>

namespace citytwin::mqtt {

namespace {

constexpr int refusal_qos = 1;
// A request is one small object.
constexpr twin::json_limits request_limits{4, 64};

caf::error malformed(std::string what) {
  return caf::make_error(twin::errc::malformed_payload, std::move(what));
}

// Splits `<root>/<tenant>/cmd/<kind>/<urn>/set` into its levels.
std::optional<std::array<std::string_view, 6>>
levels_of(std::string_view topic) {
  std::array<std::string_view, 6> result;
  size_t n = 0;
  while (n < result.size()) {
    auto slash = topic.find('/');
    result[n++] = topic.substr(0, slash);
    if (slash == std::string_view::npos)
      break;
    topic.remove_prefix(slash + 1);
    if (n == result.size())
      return std::nullopt; // more levels than a request has
  }
  if (n != result.size())
    return std::nullopt;
  return result;
}

// Fills the setting of `cmd` from the request document.
caf::error read_setting(twin::command& cmd, const nlohmann::json& doc) {
  size_t settings = 0;
  for (const auto& [key, value] : doc.items()) {
    if (key == "reason") {
      if (!value.is_string() || value.get_ref<const std::string&>().size()
                                  > twin::max_reason_bytes)
        return malformed("reason must be a text of at most "
                         + std::to_string(twin::max_reason_bytes) + " bytes");
      cmd.reason = value.get<std::string>();
      continue;
    }
    ++settings;
    if (key == "dimLevel") {
      if (!value.is_number())
        return malformed("dimLevel must be a number from 0 to 1");
      cmd.kind = twin::command_kind::dim;
      cmd.level = value.get<double>();
    } else if (key == "signalMode") {
      auto mode = value.is_string() ? twin::parse_signal_mode(
                                        value.get_ref<const std::string&>())
                                    : std::nullopt;
      if (!mode)
        return malformed("signalMode must be normal, allRed or flashing");
      cmd.kind = twin::command_kind::signal_mode;
      cmd.mode = *mode;
    } else if (key == "greenTimes") {
      if (!value.is_array() || value.empty()
          || value.size() > twin::max_plan_phases)
        return malformed("greenTimes must hold 1 to "
                         + std::to_string(twin::max_plan_phases)
                         + " whole seconds");
      cmd.kind = twin::command_kind::signal_plan;
      for (const auto& g : value) {
        if (!g.is_number_unsigned() || g.get<uint64_t>() > UINT16_MAX)
          return malformed("greenTimes must hold whole seconds");
        cmd.green_s.at(cmd.num_phases++) = static_cast<uint16_t>(
          g.get<uint64_t>());
      }
    } else {
      return malformed("unknown member '" + key
                       + "' (dimLevel, signalMode, greenTimes, reason)");
    }
  }
  if (settings != 1)
    return malformed("a request holds exactly one setting");
  return caf::none;
}

} // namespace

std::string command_request_filter(std::string_view tenant,
                                   std::string_view root) {
  return std::string{root} + "/" + std::string{tenant} + "/cmd/+/+/set";
}

caf::expected<twin::command>
parse_command_request(std::string_view topic, std::string_view payload,
                      std::string_view tenant, std::string_view city,
                      twin::time_ms now, std::string_view root) {
  if (payload.size() > max_command_payload)
    return malformed("request larger than "
                     + std::to_string(max_command_payload) + " bytes");
  auto levels = levels_of(topic);
  if (!levels || (*levels)[0] != root || (*levels)[2] != "cmd"
      || (*levels)[5] != "set")
    return malformed("topic is not " + std::string{root}
                     + "/<tenant>/cmd/<kind>/<id>/set");
  if ((*levels)[1] != tenant)
    return caf::make_error(twin::errc::unknown_entity,
                           "tenant '" + std::string{(*levels)[1]} + "'");
  auto id = twin::parse_urn((*levels)[4]);
  if (!id)
    return std::move(id.error());
  if (id->city != city)
    return caf::make_error(twin::errc::unknown_entity,
                           std::string{(*levels)[4]});
  if (twin::to_string(id->id.kind) != (*levels)[3]
      || !twin::is_actuator(id->id.kind))
    return caf::make_error(twin::errc::not_an_actuator,
                           std::string{(*levels)[3]} + "/"
                             + std::string{(*levels)[4]});
  auto doc = twin::read_json(payload, request_limits);
  if (!doc)
    return malformed(doc.detail);
  if (!doc.value.is_object())
    return malformed("a request is a JSON object");
  twin::command result;
  result.target = id->id;
  result.time = now;
  result.issuer = "mqtt";
  if (auto err = read_setting(result, doc.value))
    return err;
  return result;
}

std::string command_request_counters::render_prometheus() const {
  return "# HELP citytwin_mqtt_command_requests_total Command requests "
         "received on MQTT.\n"
         "# TYPE citytwin_mqtt_command_requests_total counter\n"
         "citytwin_mqtt_command_requests_total "
         + std::to_string(received.load())
         + "\n# HELP citytwin_mqtt_command_requests_malformed_total "
           "Requests refused before the twin (topic, JSON, setting).\n"
           "# TYPE citytwin_mqtt_command_requests_malformed_total counter\n"
           "citytwin_mqtt_command_requests_malformed_total "
         + std::to_string(malformed.load()) + "\n";
}

std::function<void(std::string_view, std::string_view)>
command_request_handler(command_intake_actor intake,
                        std::shared_ptr<publisher> out, std::string tenant,
                        std::string city,
                        std::shared_ptr<command_request_counters> counters) {
  return [intake = std::move(intake), out = std::move(out),
          tenant = std::move(tenant), city = std::move(city),
          counters = std::move(counters)](
           std::string_view topic, std::string_view payload) {
    ++counters->received;
    auto cmd = parse_command_request(topic, payload, tenant, city,
                                     twin::now_ms());
    if (cmd) {
      caf::anon_send(intake, std::move(*cmd), std::string{topic});
      return;
    }
    ++counters->malformed;
    constexpr std::string_view set = "/set";
    if (topic.size() <= set.size()
        || topic.substr(topic.size() - set.size()) != set)
      return;
    std::string doc = "{\"reason\":";
    twin::append_json_string(doc, twin::describe(cmd.error()));
    doc += '}';
    out->publish(refusal_topic(topic), doc, refusal_qos, false);
  };
}

std::string refusal_topic(std::string_view request_topic) {
  constexpr std::string_view set = "/set";
  auto base = request_topic.substr(0, request_topic.size() - set.size());
  return std::string{base} + "/refused";
}

command_intake_actor::behavior_type
command_intake(command_intake_actor::stateful_pointer<command_intake_state>
                 self,
               actors::twin_actor twin, std::shared_ptr<publisher> out) {
  self->state.twin = std::move(twin);
  self->state.out = std::move(out);
  return {
    [self](twin::command& cmd, std::string& topic) {
      self
        ->request(self->state.twin, actors::defaults::internal_timeout,
                  actors::command_atom_v, std::move(cmd))
        .then([self](twin::entity_state&) { ++self->state.honoured; },
              [self, topic = std::move(topic)](caf::error& err) {
                ++self->state.refused;
                std::string doc = "{\"reason\":";
                twin::append_json_string(doc, twin::describe(err));
                doc += '}';
                // Not retained: a refusal is news, not a setting.
                self->state.out->publish(refusal_topic(topic), doc,
                                         refusal_qos, false);
              });
    },
  };
}

} // namespace citytwin::mqtt
