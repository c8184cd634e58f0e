// viz/rules_api.cpp
#include "viz/rules_api.hpp"

#include "viz/api_reply.hpp"

#include "actors/type_ids.hpp"
#include "twin/civil_time.hpp"
#include "twin/error.hpp"
#include "twin/text.hpp"
#include "twin/wall_clock.hpp"
#include "viz/stream_filter.hpp"

#include <caf/event_based_actor.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <string>

namespace citytwin::viz {

namespace {

using nlohmann::json;

constexpr std::string_view alerts_prefix = "/api/alerts/";
constexpr std::string_view ack_suffix = "/ack";
constexpr std::string_view outcome_suffix = "/outcome";

// An outcome report: {"outcome": "done" | "partly_done" | "not_done" |
// "not_needed", "note": "..."}; bounded before it is parsed.
constexpr size_t max_outcome_body = 4096;
constexpr size_t max_outcome_note = 500;

caf::expected<std::string> parse_outcome(const std::string& body) {
  auto bad = [](std::string why) {
    return caf::make_error(twin::errc::malformed_payload, std::move(why));
  };
  if (body.size() > max_outcome_body)
    return bad("an outcome report has at most "
               + std::to_string(max_outcome_body) + " bytes");
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return bad("an outcome report is a JSON object: {\"outcome\": "
               "\"done\", \"note\": \"...\"}");
  auto o = doc.find("outcome");
  static constexpr std::string_view kinds[]
    = {"done", "partly_done", "not_done", "not_needed"};
  if (o == doc.end() || !o->is_string()
      || std::find(std::begin(kinds), std::end(kinds),
                   o->get<std::string>())
           == std::end(kinds))
    return bad("outcome is one of done, partly_done, not_done, not_needed");
  auto result = o->get<std::string>();
  if (auto n = doc.find("note"); n != doc.end()) {
    if (!n->is_string() || n->get<std::string>().size() > max_outcome_note)
      return bad("note is text of at most "
                 + std::to_string(max_outcome_note) + " bytes");
    if (!n->get<std::string>().empty())
      result += ": " + n->get<std::string>();
  }
  return result;
}

// Alerts and advice one answer lists at most.
constexpr uint32_t max_listed_alerts = 1000;

std::string subject(const std::string& city, twin::entity_id id,
                    bool whole_city) {
  return whole_city ? "city:" + city : twin::to_urn(id, city);
}

std::string iso(twin::time_ms t) {
  return t ? twin::format_iso_time(t) : std::string{};
}

json to_json(const rules::alert& a, const std::string& city) {
  return {{"id", a.id},
          {"rule", a.rule},
          {"entity", subject(city, a.anchor, a.whole_city)},
          {"kind", a.kind},
          {"severity", rules::to_string(a.level)},
          {"text", a.text},
          {"why", a.why},
          {"status", rules::to_string(a.status)},
          {"raisedAt", iso(a.raised_at)},
          {"clearedAt", iso(a.cleared_at)},
          {"acknowledgedBy", a.acknowledged_by},
          {"acknowledgedAt", iso(a.acknowledged_at)},
          {"timesRaised", a.times_raised},
          {"audience", a.audience},
          {"outcome", a.outcome},
          {"outcomeBy", a.outcome_by},
          {"outcomeAt", iso(a.outcome_at)}};
}

json to_json(const rules::advice& a, const std::string& city) {
  json entities = json::array();
  for (auto id : a.entities)
    entities.push_back(twin::to_urn(id, city));
  return {{"rule", a.rule},
          {"entity", subject(city, a.anchor, a.whole_city)},
          {"recommendation", rules::to_string(a.what)},
          {"audience", a.audience},
          {"severity", rules::to_string(a.level)},
          {"text", a.text},
          {"why", a.why},
          {"entities", std::move(entities)},
          {"routeLengthM", a.route_length_m},
          {"issuedAt", iso(a.time)}};
}

json to_json(const actors::alerts_report& r, const std::string& city) {
  json alerts = json::array(), advice = json::array();
  for (const auto& a : r.alerts)
    alerts.push_back(to_json(a, city));
  for (const auto& a : r.advice)
    advice.push_back(to_json(a, city));
  return {{"open", r.num_open},
          {"alerts", std::move(alerts)},
          {"advice", std::move(advice)}};
}

json to_json(const twin::audit_entry& e) {
  return {{"seq", e.seq},   {"time", iso(e.time)},   {"what", to_string(e.what)},
          {"who", e.who},   {"subject", e.subject}, {"detail", e.detail},
          {"why", e.why}};
}

// One query parameter, undecoded (audit parameters are numbers and
// snake_case names).
std::string param(const std::string& query, std::string_view name) {
  for (auto part : twin::split(query, '&')) {
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name)
      return std::string{part.substr(eq + 1)};
  }
  return {};
}

// Runs `f(self)` in a short-lived actor that answers `reply` and quits.
// Merges the status of every RULES actor, asked one after the other.
struct status_merge {
  std::vector<actors::rules_actor> pending;
  std::vector<rules::rule_status> merged;
};

void ask_status(caf::event_based_actor* self,
                std::shared_ptr<status_merge> m, actors::alerts_report report,
                std::chrono::milliseconds timeout, http_reply reply,
                std::string city) {
  if (m->pending.empty()) {
    json rules = json::array(), firings = json::array();
    for (const auto& s : m->merged)
      rules.push_back({{"id", s.id},
                       {"instances", s.instances},
                       {"holding", s.holding},
                       {"inForce", s.fired},
                       {"firings", s.firings},
                       {"disabled", s.disabled},
                       {"disabledWhy", s.disabled_why}});
    for (auto i = report.firings.rbegin(); i != report.firings.rend(); ++i)
      firings.push_back({{"rule", i->rule},
                         {"entity", subject(city, i->anchor, i->whole_city)},
                         {"time", iso(i->time)},
                         {"edge", i->then ? "then" : "otherwise"},
                         {"why", i->why}});
    reply(json_reply(200, {{"rules", std::move(rules)},
                       {"firingsTotal", report.num_firings},
                       {"recentFirings", std::move(firings)}}));
    self->quit();
    return;
  }
  auto next = m->pending.back();
  m->pending.pop_back();
  self->request(next, timeout, caf::get_atom_v, actors::rules_atom_v)
    .then(
      [=](std::vector<rules::rule_status>& part) {
        if (m->merged.empty()) {
          m->merged = std::move(part);
        } else {
          for (size_t i = 0; i < part.size() && i < m->merged.size(); ++i) {
            auto& s = m->merged[i];
            s.instances += part[i].instances;
            s.holding += part[i].holding;
            s.fired += part[i].fired;
            s.firings += part[i].firings;
            if (part[i].disabled && !s.disabled) {
              s.disabled = true;
              s.disabled_why = part[i].disabled_why;
            }
          }
        }
        ask_status(self, m, std::move(report), timeout, reply, city);
      },
      [=](const caf::error& err) {
        reply(failed_request(err));
        self->quit();
      });
}

} // namespace

async_http_handler
make_rules_api(caf::actor_system& sys, actors::audit_actor audit,
               actors::running_rules rules, std::string city,
               operations_access access, async_http_handler next,
               std::chrono::milliseconds timeout) {
  return [system = &sys, audit, rules, city, access, next,
          timeout](const http_request& req, http_reply reply) {
    bool is_rules = req.path == "/api/rules";
    bool is_alerts = req.path == "/api/alerts"
                     || req.path.rfind(alerts_prefix, 0) == 0;
    bool is_audit = req.path == "/api/audit";
    if (!is_rules && !is_alerts && !is_audit)
      return next(req, reply);
    auto who = decide(access, req);
    if (who.unknown_token)
      return reply(token_refused());
    auto refuse = [&](std::string_view needs) {
      reply(refusal(who, req.path, needs));
    };
    if (is_audit) {
      if (req.method != "GET")
        return reply(problem(405, "MethodNotAllowed", "GET only"));
      if (!who.may_audit)
        return refuse("admin");
      actors::audit_query q;
      uint64_t after = 0;
      uint32_t limit = 100;
      auto a = param(req.query, "after"), l = param(req.query, "limit"),
           k = param(req.query, "kind");
      if ((!a.empty() && !twin::parse_number(a, after))
          || (!l.empty() && (!twin::parse_number(l, limit) || limit == 0)))
        return reply(problem(400, "BadRequestData",
                             "after and limit are whole numbers, limit > 0"));
      if (!k.empty()) {
        auto kind = twin::parse_audit_kind(k);
        if (!kind)
          return reply(problem(400, "BadRequestData",
                               "unknown kind; one of actuation, "
                               "actuation_refused, alert_raised, "
                               "alert_acknowledged, alert_cleared, "
                               "rules_loaded, rules_rejected, rule_disabled, "
                               "advice_issued, advice_withdrawn, "
                               "outcome_reported"));
        q.what = static_cast<uint8_t>(*kind);
      }
      q.after = after;
      q.limit = limit;
      if (!reply.defer())
        return;
      return in_actor(*system, [=](caf::event_based_actor* self) {
        self->request(audit, timeout, caf::get_atom_v, q)
          .then(
            [=](const actors::audit_page& page) {
              json entries = json::array();
              for (const auto& e : page.entries)
                entries.push_back(to_json(e));
              reply(json_reply(200, {{"entries", std::move(entries)},
                                 {"appended", page.appended},
                                 {"dropped", page.dropped}}));
              self->quit();
            },
            [=](const caf::error& err) {
              reply(failed_request(err));
              self->quit();
            });
      });
    }
    if (!rules.alerts)
      return reply(problem(404, "ResourceNotFound",
                           "no rules run on this server (serve --rules FILE)"));
    if (!who.may_read)
      return refuse("viewer, operator, planner, emergency or admin");
    if (req.path.rfind(alerts_prefix, 0) == 0) {
      std::string_view rest{req.path};
      rest.remove_prefix(alerts_prefix.size());
      auto ends_with = [&](std::string_view suffix) {
        return rest.size() > suffix.size()
               && rest.substr(rest.size() - suffix.size()) == suffix;
      };
      bool is_ack = ends_with(ack_suffix);
      bool is_outcome = ends_with(outcome_suffix);
      uint64_t id = 0;
      if ((!is_ack && !is_outcome)
          || !twin::parse_number(
            rest.substr(0, rest.size()
                             - (is_ack ? ack_suffix : outcome_suffix).size()),
            id))
        return reply(problem(404, "ResourceNotFound", "no route " + req.path));
      if (req.method != "POST")
        return reply(problem(405, "MethodNotAllowed", "POST only"));
      if (!who.may_ack)
        return refuse("operator, emergency or admin");
      std::string outcome;
      if (is_outcome) {
        auto parsed = parse_outcome(req.body);
        if (!parsed)
          return reply(problem(400, "BadRequestData",
                               twin::describe(parsed.error())));
        outcome = std::move(*parsed);
      }
      if (!reply.defer())
        return;
      auto when = twin::now_ms();
      auto by = who.who;
      auto done = [=](caf::event_based_actor* self) {
        return [=](const rules::alert& a) {
          reply(json_reply(200, to_json(a, city)));
          self->quit();
        };
      };
      auto fail = [=](caf::event_based_actor* self) {
        return [=](const caf::error& err) {
          reply(failed_request(err));
          self->quit();
        };
      };
      return in_actor(*system, [=](caf::event_based_actor* self) {
        if (is_ack)
          self->request(rules.alerts, timeout, actors::ack_atom_v, id, by, when)
            .then(done(self), fail(self));
        else
          self->request(rules.alerts, timeout, actors::outcome_atom_v, id, by,
                        outcome, when)
            .then(done(self), fail(self));
      });
    }
    if (req.method != "GET")
      return reply(problem(405, "MethodNotAllowed", "GET only"));
    if (!reply.defer())
      return;
    in_actor(*system, [=](caf::event_based_actor* self) {
      self
        ->request(rules.alerts, timeout, caf::get_atom_v, actors::rules_atom_v,
                  max_listed_alerts)
        .then(
          [=](actors::alerts_report& report) {
            if (is_alerts) {
              reply(json_reply(200, to_json(report, city)));
              self->quit();
              return;
            }
            auto m = std::make_shared<status_merge>();
            m->pending = rules.evaluators;
            ask_status(self, m, std::move(report), timeout, reply, city);
          },
          [=](const caf::error& err) {
            reply(failed_request(err));
            self->quit();
          });
    });
  };
}

} // namespace citytwin::viz
