// viz/scenarios_api.cpp
#include "viz/scenarios_api.hpp"

#include "viz/api_reply.hpp"

#include "actors/type_ids.hpp"
#include "twin/error.hpp"
#include "twin/json_reader.hpp"
#include "twin/civil_time.hpp"
#include "twin/text.hpp"
#include "viz/stream_filter.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

namespace citytwin::viz {

namespace {

using nlohmann::json;

constexpr std::string_view prefix = "/api/scenarios";
constexpr std::string_view issue_suffix = "/issue";
constexpr std::string_view apply_suffix = "/apply";

// The largest scenario accepted, checked before anything is parsed (the
// reader's own limit, scenario_file/scenario_reader.hpp).
constexpr size_t max_scenario_bytes = size_t{1} << 20;

std::string iso(twin::time_ms t) {
  return t ? twin::format_iso_time(t) : std::string{};
}

json to_json(const actors::scenario_report& r, bool with_results) {
  json result{{"id", r.id},
              {"name", r.name},
              {"submittedBy", r.who},
              {"status", r.status},
              {"submittedAt", iso(r.submitted)},
              {"finishedAt", iso(r.finished)},
              {"simulatedS", r.simulated_s},
              {"horizonS", r.horizon_s},
              {"fork",
               {{"entities", r.forked_entities},
                {"seconds", r.fork_s},
                {"asOf", iso(r.as_of)}}},
              {"runSeconds", r.run_s},
              {"runFile", r.run_file},
              {"actions", r.actions.size()},
              {"timesIssued", r.times_issued}};
  if (r.applied_to != 0) {
    result["appliedTo"] = r.applied_to;
    result["applied"] = r.applied;
  }
  if (!r.error.empty())
    result["error"] = r.error;
  if (with_results && !r.results_json.empty())
    result["results"] = json::parse(r.results_json, nullptr, false);
  return result;
}

// Which recommended actions to put into effect: an empty body or `{}`
// for every one that changes traffic, or {"actions": [0, 3]} by index;
// bounded before anything is allocated for it.
constexpr size_t max_apply_body = 16 * 1024;
constexpr size_t max_applied_actions = 1000;

caf::expected<std::vector<uint32_t>> parse_apply(const std::string& body) {
  auto bad = [](std::string why) {
    return caf::make_error(twin::errc::malformed_payload, std::move(why));
  };
  std::vector<uint32_t> result;
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return result;
  if (body.size() > max_apply_body)
    return bad("a request to apply actions has at most "
               + std::to_string(max_apply_body) + " bytes");
  auto doc = twin::read_json(body, {3, max_applied_actions + 2});
  if (!doc)
    return bad("not JSON within bounds: " + doc.detail);
  const char* shape = "the body is {\"actions\": [0, 3]} (indices of the "
                      "run's recommended actions) or empty for every one "
                      "that changes traffic";
  if (!doc.value.is_object())
    return bad(shape);
  for (const auto& [key, value] : doc.value.items()) {
    if (key != "actions")
      return bad("unknown member \"" + key + "\": " + shape);
    if (!value.is_array())
      return bad(shape);
    for (const auto& n : value) {
      if (!n.is_number_unsigned() || n.get<uint64_t>() > UINT32_MAX)
        return bad("actions are indices (0, 1, ...): " + n.dump());
      result.push_back(n.get<uint32_t>());
    }
  }
  return result;
}

http_response failed(const caf::error& err) {
  if (err == twin::errc::invalid_config) {
    // "invalid_config: N problem(s) in scenario", then one problem per
    // line, `scenario:line: key: message`.
    auto text = twin::describe(err);
    auto lines = twin::split(text, '\n');
    std::string detail{lines.empty() ? text : lines.front()};
    if (auto colon = detail.find(": "); colon != std::string::npos)
      detail = detail.substr(colon + 2);
    json problems = json::array();
    for (size_t i = 1; i < lines.size(); ++i)
      if (!lines[i].empty())
        problems.push_back(std::string{lines[i]});
    if (problems.empty())
      problems.push_back(detail);
    return problem(400, "BadRequestData", detail,
                   {{"problems", problems}});
  }
  return failed_request(err, "the scenario service");
}

} // namespace

async_http_handler
make_scenarios_api(caf::actor_system& sys,
                   actors::scenario_service_actor service,
                   operations_access access, async_http_handler next,
                   std::chrono::milliseconds timeout) {
  return [system = &sys, service, access, next,
          timeout](const http_request& req, http_reply reply) {
    auto is_list = req.path == prefix;
    auto is_one = req.path.size() > prefix.size() + 1
                  && req.path.compare(0, prefix.size() + 1,
                                      std::string{prefix} + "/")
                       == 0;
    if (!is_list && !is_one)
      return next(req, reply);
    auto who = decide(access, req);
    if (who.unknown_token)
      return reply(token_refused());
    auto refuse = [&](std::string_view needs) {
      reply(refusal(who, req.path, needs));
    };
    if (is_list && req.method == "POST") {
      if (!who.may_plan)
        return refuse("operator, planner or admin");
      if (req.body.size() > max_scenario_bytes)
        return reply(problem(413, "PayloadTooLarge",
                             "a scenario file has at most "
                               + std::to_string(max_scenario_bytes)
                               + " bytes"));
      if (!reply.defer())
        return;
      auto text = req.body;
      auto by = who.who;
      return in_actor(*system, [=](caf::event_based_actor* self) {
        self->request(service, timeout, actors::start_atom_v, text, by)
          .then(
            [=](uint64_t id) {
              reply(json_reply(202, {{"id", id},
                                 {"href", std::string{prefix} + "/"
                                            + std::to_string(id)}}));
              self->quit();
            },
            [=](const caf::error& err) {
              reply(failed(err));
              self->quit();
            });
      });
    }
    uint64_t id = 0;
    auto rest = std::string_view{req.path}.substr(
      std::min(req.path.size(), prefix.size() + 1));
    auto ends_with = [&](std::string_view suffix) {
      auto yes = is_one && rest.size() > suffix.size()
                 && rest.substr(rest.size() - suffix.size()) == suffix;
      if (yes)
        rest = rest.substr(0, rest.size() - suffix.size());
      return yes;
    };
    auto is_issue = ends_with(issue_suffix);
    auto is_apply = !is_issue && ends_with(apply_suffix);
    if (is_one && !twin::parse_number(rest, id))
      return reply(problem(404, "ResourceNotFound", "no route " + req.path));
    if (is_issue) {
      if (req.method != "POST")
        return reply(problem(405, "MethodNotAllowed", "POST only"));
      if (!who.may_issue)
        return refuse("operator or admin");
      if (!reply.defer())
        return;
      auto by = who.who;
      return in_actor(*system, [=](caf::event_based_actor* self) {
        self->request(service, timeout, actors::issue_atom_v, id, by)
          .then(
            [=](uint32_t n) {
              reply(json_reply(200, {{"issued", n},
                                 {"alerts", "/api/alerts"}}));
              self->quit();
            },
            [=](const caf::error& err) {
              // No ALERTS to issue with is the server's setup, not the
              // request's fault.
              reply(err == twin::errc::invalid_config
                      ? problem(409, "Conflict", twin::describe(err))
                      : failed(err));
              self->quit();
            });
      });
    }
    if (is_apply) {
      if (req.method != "POST")
        return reply(problem(405, "MethodNotAllowed", "POST only"));
      if (!who.may_plan)
        return refuse("operator, planner or admin");
      auto picked = parse_apply(req.body);
      if (!picked)
        return reply(problem(400, "BadRequestData",
                             twin::describe(picked.error())));
      if (!reply.defer())
        return;
      auto by = who.who;
      auto actions = std::move(*picked);
      return in_actor(*system, [=](caf::event_based_actor* self) {
        self->request(service, timeout, actors::apply_atom_v, id, actions, by)
          .then(
            [=](uint64_t again) {
              reply(json_reply(202, {{"id", again},
                                 {"appliedTo", id},
                                 {"href", std::string{prefix} + "/"
                                            + std::to_string(again)}}));
              self->quit();
            },
            [=](const caf::error& err) {
              reply(failed(err));
              self->quit();
            });
      });
    }
    if (req.method != "GET")
      return reply(problem(405, "MethodNotAllowed",
                           is_list ? "GET or POST" : "GET only"));
    if (!who.may_read)
      return refuse("viewer, operator, planner, emergency or admin");
    if (!reply.defer())
      return;
    in_actor(*system, [=](caf::event_based_actor* self) {
      if (is_list) {
        self->request(service, timeout, caf::get_atom_v)
          .then(
            [=](const std::vector<actors::scenario_report>& runs) {
              json list = json::array();
              for (const auto& r : runs)
                list.push_back(to_json(r, false));
              // The refusals are counted where they happen; shown here.
              self->request(service, timeout, actors::stats_atom_v)
                .then(
                  [=](const actors::scenario_service_stats& s) mutable {
                    reply(json_reply(
                      200, {{"runs", std::move(list)},
                            {"counters",
                             {{"submitted", s.submitted},
                              {"refusedBusy", s.refused_busy},
                              {"refusedInvalid", s.refused_invalid},
                              {"done", s.done},
                              {"failed", s.failed},
                              {"running", s.running}}}}));
                    self->quit();
                  },
                  [=](const caf::error& err) {
                    reply(failed(err));
                    self->quit();
                  });
            },
            [=](const caf::error& err) {
              reply(failed(err));
              self->quit();
            });
        return;
      }
      self->request(service, timeout, caf::get_atom_v, id)
        .then(
          [=](const actors::scenario_report& r) {
            reply(json_reply(200, to_json(r, true)));
            self->quit();
          },
          [=](const caf::error& err) {
            reply(failed(err));
            self->quit();
          });
    });
  };
}

} // namespace citytwin::viz
