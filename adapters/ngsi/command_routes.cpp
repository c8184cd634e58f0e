// adapters/ngsi/command_routes.cpp: commands to live actuators,
// `PATCH /entities/{id}/attrs/{dimLevelCommand|signalPlanCommand|
// signalModeCommand}`. A command needs no broker state, only the twin: the
// I/O thread checks who asks and what, the tenant's TENANT passes it to the
// twin, and the answer waits for the actuator's verdict (204, or why it
// refused), which is posted back like every other answer.
#include "actors/type_ids.hpp"
#include "adapters/broker/broker.hpp"
#include "adapters/ngsi/api_context.hpp"
#include "twin/command.hpp"
#include "twin/entity_id.hpp"
#include "twin/entity_kind.hpp"
#include "twin/percent.hpp"
#include "twin/wall_clock.hpp"

#include <caf/send.hpp>

#include <cmath>

namespace citytwin::ngsi {

namespace {

using broker::broker_errc;

// A member's value: `{"value": x}` (a Property) or `x` itself.
const json& value_of(const json& member) {
  static const json none;
  if (member.is_object())
    return member.contains("value") ? member["value"] : none;
  return member;
}

// Fills the command's setting from the body; an error names the problem.
caf::error read_setting(twin::command& cmd, const json& body) {
  auto bad = [](std::string what) {
    return broker::make_problem(broker_errc::bad_request_data,
                                std::move(what));
  };
  const auto& value = value_of(body);
  switch (cmd.kind) {
    case twin::command_kind::dim:
      if (!value.is_number())
        return bad("dimLevelCommand needs a number from 0 to 1");
      cmd.level = value.get<double>();
      break;
    case twin::command_kind::signal_plan:
      if (!value.is_array() || value.empty()
          || value.size() > twin::max_plan_phases)
        return bad("signalPlanCommand needs an array of 1 to "
                   + std::to_string(twin::max_plan_phases)
                   + " green times in seconds, one per phase");
      for (const auto& g : value) {
        if (!g.is_number_integer() || g.get<int64_t>() < 0
            || g.get<int64_t>() > UINT16_MAX)
          return bad("signalPlanCommand: green times are whole seconds");
        cmd.green_s.at(cmd.num_phases++) = static_cast<uint16_t>(
          g.get<int64_t>());
      }
      break;
    case twin::command_kind::signal_mode: {
      auto mode = value.is_string()
                    ? twin::parse_signal_mode(value.get<std::string>())
                    : std::nullopt;
      if (!mode)
        return bad("signalModeCommand needs \"normal\", \"allRed\" or "
                   "\"flashing\"");
      cmd.mode = *mode;
      break;
    }
  }
  if (body.is_object() && body.contains("reason")) {
    const auto& reason = value_of(body["reason"]);
    if (!reason.is_string())
      return bad("reason must be a text");
    cmd.reason = reason.get<std::string>();
    if (cmd.reason.size() > twin::max_reason_bytes)
      return bad("reason is longer than "
                 + std::to_string(twin::max_reason_bytes)
                 + " bytes");
  }
  return caf::none;
}

// The HTTP answer to an actuator's refusal.
http_response refused(api_call& call, const caf::error& err) {
  auto detail = twin::describe(err);
  if (err.category() != caf::atom("twin"))
    return problem(call, broker_errc::service_unavailable, detail);
  switch (static_cast<twin::errc>(err.code())) {
    case twin::errc::unknown_entity:
      return problem(call, broker_errc::not_found, detail);
    case twin::errc::actuator_fault:
      // The request is fine; the device cannot do it now.
      return problem(call, broker_errc::not_supported, detail);
    default:
      return problem(call, broker_errc::bad_request_data, detail);
  }
}

} // namespace

bool command_route(api_call& call, std::shared_ptr<const http_request> held,
                   std::string_view path, reply_fn& done) {
  // /entities/{id}/attrs/{command attribute}
  constexpr std::string_view prefix = "/entities/";
  constexpr std::string_view attrs = "/attrs/";
  if (path.substr(0, prefix.size()) != prefix)
    return false;
  auto rest = path.substr(prefix.size());
  auto split = rest.find(attrs);
  if (split == std::string_view::npos)
    return false;
  auto attr = percent_decode(rest.substr(split + attrs.size()));
  auto kind = attr ? twin::parse_command_attribute(*attr) : std::nullopt;
  if (!kind)
    return false;
  auto answer = [&](http_response res) { done(std::move(res)); };
  if (call.req.method != "PATCH") {
    answer(problem(call, broker_errc::method_not_allowed,
                   "a command is sent with PATCH"));
    return true;
  }
  auto id = percent_decode(rest.substr(0, split));
  auto target = id ? twin::parse_urn(*id) : caf::expected<twin::qualified_id>{
                       caf::make_error(twin::errc::malformed_id)};
  // Another tenant's city is as unknown here as a missing number.
  if (!target || target->city != call.tenant) {
    answer(problem(call, broker_errc::not_found,
                   "no actuator " + (id ? *id : std::string{"?"})
                     + " in tenant '" + call.tenant + "'"));
    return true;
  }
  if (!can_write(call, twin::ngsi_type(target->id.kind))) {
    answer(refuse_write(call, "commanding this entity"));
    return true;
  }
  auto body = read_body(call);
  if (auto* res = std::get_if<http_response>(&body)) {
    answer(std::move(*res));
    return true;
  }
  twin::command cmd;
  cmd.target = target->id;
  cmd.kind = *kind;
  cmd.time = twin::now_ms();
  cmd.issuer = "operator:" + call.who.name;
  try {
    if (auto err = read_setting(cmd, std::get<json>(body))) {
      answer(problem(call, err));
      return true;
    }
  } catch (const nlohmann::json::exception& e) {
    answer(problem(call, broker_errc::bad_request_data,
                   std::string{"a member has the wrong type: "} + e.what()));
    return true;
  }
  // What needs no actuator is refused before anything travels.
  if (auto err = twin::validate(cmd)) {
    answer(refused(call, err));
    return true;
  }
  auto tenant = call.brk.tenant(call.tenant);
  if (!tenant) {
    answer(problem(call, broker_errc::service_unavailable,
                   "tenant '" + call.tenant + "' is not running"));
    return true;
  }
  caf::anon_send(
    tenant,
    actors::command_task{
      std::move(cmd),
      [call, held = std::move(held), done = std::move(done)](
        caf::expected<twin::entity_state> outcome) mutable {
        if (outcome)
          done(empty(call, 204));
        else
          done(refused(call, outcome.error()));
      }});
  return true;
}

} // namespace citytwin::ngsi
