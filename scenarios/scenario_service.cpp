// scenarios/scenario_service.cpp
#include "scenarios/scenario_service.hpp"

#include "actors/type_ids.hpp"
#include "scenarios/live_conditions.hpp"
#include "scenarios/recommended_actions.hpp"
#include "scenarios/run_file.hpp"
#include "scenarios/run_summary.hpp"
#include "scenarios/scenario_file/scenario_reader.hpp"
#include "scenarios/scenario_setup.hpp"
#include "scenarios/scenario_workers.hpp"
#include "twin/error.hpp"
#include "twin/text.hpp"
#include "twin/wall_clock.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <filesystem>
#include <sstream>

namespace citytwin::scenarios {

namespace {

using actors::scenario_report;
using nlohmann::json;

// A fork waits behind the live ingest in every entity's mailbox.
constexpr auto fork_timeout = std::chrono::seconds(60);

// Congested roads listed in a report (the run file has all of them).
constexpr size_t max_listed_congestion = 2000;

bool finished(const scenario_report& r) {
  return r.status == "done" || r.status == "failed";
}

// What a run stands on, kept so it can run again with its recommended
// actions in effect. The run's thread fills `live` (from the fork) before
// its first report and `actions` before its final one; the service reads
// them only once that final report has arrived (a message, so the writes
// happen before), and nobody writes them after.
struct run_basis {
  std::shared_ptr<const scenario_spec> spec;
  std::shared_ptr<const live_conditions> live;
  std::vector<recommended_action> actions;
};

struct service_state {
  static inline const char* name = "scenario_service";

  // Not an aggregate: CAF would otherwise build it from the actor pointer
  // (C++20 aggregate initialisation with parentheses).
  service_state() = default;

  actors::twin_actor twin;
  std::shared_ptr<const twin::city> city;
  scenario_service_options opts;
  action_channel channel;
  std::vector<scenario_report> runs; // oldest first
  std::map<uint64_t, std::shared_ptr<run_basis>> bases; // by run id
  actors::scenario_service_stats stats;
  uint64_t next_id = 1;

  scenario_report* find(uint64_t id) {
    for (auto& r : runs)
      if (r.id == id)
        return &r;
    return nullptr;
  }

  // Drops the oldest finished reports beyond `keep`; running ones stay.
  void keep_bounded() {
    auto excess = runs.size() > opts.keep ? runs.size() - opts.keep : 0;
    for (auto i = runs.begin(); excess > 0 && i != runs.end();) {
      if (finished(*i)) {
        bases.erase(i->id);
        i = runs.erase(i);
        --excess;
      } else {
        ++i;
      }
    }
  }

  // Refuses another run while the most at once are under way.
  caf::error busy() {
    if (stats.running < opts.max_running)
      return {};
    ++stats.refused_busy;
    return caf::make_error(
      twin::errc::in_use,
      std::to_string(stats.running)
        + " what-if runs are under way, the most this server runs at "
          "once; try again when one has finished");
  }

  // A new run's report, kept and counted as under way.
  scenario_report& admit(std::string name, const std::string& who,
                         double horizon_s, std::string status) {
    scenario_report r;
    r.id = next_id++;
    r.name = std::move(name);
    r.who = who;
    r.status = std::move(status);
    r.submitted = twin::now_ms();
    r.horizon_s = horizon_s;
    runs.push_back(std::move(r));
    ++stats.submitted;
    ++stats.running;
    auto id = runs.back().id;
    keep_bounded(); // drops only finished ones, never this one
    return *find(id);
  }

  // Takes a report a run sent; counts the run's end once.
  void update(scenario_report&& r) {
    auto* kept = find(r.id);
    if (kept == nullptr || finished(*kept))
      return;
    *kept = std::move(r);
    if (!finished(*kept))
      return;
    --stats.running;
    ++(kept->status == "done" ? stats.done : stats.failed);
    keep_bounded();
  }
};

using service_actor
  = actors::scenario_service_actor::stateful_pointer<service_state>;

std::string urn_of_segment(uint32_t number, const twin::city& city) {
  return twin::to_urn({twin::entity_kind::road_segment, number}, city.name);
}

std::string clock_of(const scenario_spec& spec, double t) {
  auto s = static_cast<long>(spec.start_s_of_day + t) % 86400;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 3600, s / 60 % 60);
  return buf;
}

// The recommended actions of run `id` as alerts to raise: one rule id per
// action, so issuing twice raises each once; anchored at the intersection
// or the first road concerned.
std::vector<rules::alert_change>
actions_as_alerts(uint64_t id, const scenario_spec& spec,
                  const std::vector<recommended_action>& actions) {
  std::vector<rules::alert_change> result;
  for (size_t n = 0; n < actions.size(); ++n) {
    const auto& a = actions[n];
    rules::alert_change ch;
    ch.rule = "whatif:run-" + std::to_string(id) + ":" + std::to_string(n);
    if (a.intersection >= 0)
      ch.anchor = {twin::entity_kind::intersection,
                   static_cast<uint32_t>(a.intersection)};
    else if (!a.segments.empty())
      ch.anchor = {twin::entity_kind::road_segment, a.segments.front()};
    else
      ch.whole_city = true;
    ch.kind = a.kind;
    ch.level = a.priority <= 1   ? rules::severity::critical
               : a.priority == 2 ? rules::severity::warning
                                 : rules::severity::info;
    ch.text = a.text + " (" + clock_of(spec, a.from_s) + "-"
              + clock_of(spec, a.to_s) + ", scenario " + spec.name + ")";
    ch.why = a.reason;
    for (auto who : a.audiences)
      ch.audience += (ch.audience.empty() ? "" : ",")
                     + std::string{to_string(who)};
    result.push_back(std::move(ch));
  }
  return result;
}

// A run's actions in effect, as the report lists them.
std::string describe_applied(const recommended_action& a) {
  return a.kind + ": " + a.text;
}

json render_results(const scenario_spec& spec, const scenario_setup& setup,
                    const run_summary& sum,
                    const std::vector<recommended_action>& actions,
                    const scenario_report& report, const twin::city& city) {
  json groups = json::array();
  for (const auto& g : sum.groups)
    groups.push_back({{"name", g.name},
                      {"trips", g.trips},
                      {"arrived", g.arrived},
                      {"enRoute", g.en_route},
                      {"neverStarted", g.waiting},
                      {"unroutable", g.unroutable},
                      {"meanS", g.mean_s},
                      {"p50S", g.p50_s},
                      {"p95S", g.p95_s},
                      {"maxS", g.max_s},
                      {"meanDelayS", g.mean_delay_s},
                      {"lastArrivalS", g.last_arrival_s}});
  json unparked = json::array();
  for (size_t e = 0; e < spec.events.size(); ++e)
    unparked.push_back({{"event", spec.events[e].name},
                        {"carsWithoutSpace", setup.unparked_by_event[e]}});
  json congestion = json::array();
  for (size_t i = 0;
       i < sum.congestion.size() && i < max_listed_congestion; ++i) {
    const auto& c = sum.congestion[i];
    congestion.push_back({{"segment", urn_of_segment(c.segment, city)},
                          {"fromS", c.from_s},
                          {"toS", c.to_s},
                          {"maxQueueVeh", c.max_queue_veh},
                          {"minSpeedKmH", c.min_speed_km_h}});
  }
  json acts = json::array();
  for (const auto& a : actions) {
    json who = json::array(), roads = json::array();
    for (auto x : a.audiences)
      who.push_back(to_string(x));
    for (auto s : a.segments)
      roads.push_back(urn_of_segment(s, city));
    json one = {{"kind", a.kind},
                {"text", a.text},
                {"reason", a.reason},
                {"priority", a.priority},
                {"audiences", who},
                {"fromS", a.from_s},
                {"toS", a.to_s},
                {"segments", roads},
                {"changesTraffic", changes_traffic(a)}};
    if (a.intersection >= 0)
      one["intersection"] = twin::to_urn(
        {twin::entity_kind::intersection,
         static_cast<uint32_t>(a.intersection)},
        city.name);
    acts.push_back(std::move(one));
  }
  json fit = nullptr;
  if (setup.background_fit)
    fit = {{"factor", setup.background_fit->factor},
           {"countedRoads", setup.background_fit->counted},
           {"measuredVehH", setup.background_fit->observed_veh_h},
           {"modelVehH", setup.background_fit->modelled_veh_h},
           {"rmseVehH", setup.background_fit->rmse_veh_h},
           {"zonePairsFitted", setup.background_fit->pairs_fitted},
           {"rmseOneFactorVehH",
            setup.background_fit->rmse_one_factor_veh_h}};
  double congested_minutes = 0;
  for (const auto& c : sum.congestion)
    congested_minutes += (c.to_s - c.from_s) / 60;
  json applied = json::array();
  for (const auto& text : report.applied)
    applied.push_back(text);
  return {{"start", spec.start},
          {"appliedTo", report.applied_to},
          {"applied", applied},
          {"congestedRoadMinutes", congested_minutes},
          {"notes", setup.notes},
          {"warnings", spec.warnings},
          {"counts",
           {{"trips", sum.counts.trips},
            {"arrived", sum.counts.arrived},
            {"enRoute", sum.counts.en_route},
            {"neverStarted", sum.counts.waiting},
            {"unroutable", sum.counts.unroutable},
            {"teleports", sum.counts.teleports}}},
          {"backgroundFit", fit},
          {"groups", groups},
          {"unparked", unparked},
          {"congestionEpisodes", sum.congestion.size()},
          {"congestion", congestion},
          {"actions", acts}};
}

struct run_inputs {
  scenario_report report;
  std::shared_ptr<run_basis> basis;
  std::shared_ptr<const twin::city> city;
  /// The fork to read the live conditions from; none when `basis` has
  /// them already (a run again with actions applied).
  std::shared_ptr<const actors::twin_fork> fork;
  /// Recommended actions of an earlier run to put into effect.
  std::vector<recommended_action> apply;
  scenario_service_options opts;
  actors::scenario_service_actor service;
};

// The end of a run, on its SCENARIO RUN's (detached) thread: the summary,
// the actions, the run file and the report.
void finish_run(run_inputs in, std::shared_ptr<const scenario_setup> setup,
                dynamic::model_result result,
                std::chrono::steady_clock::time_point started) {
  auto& r = in.report;
  const auto& spec = *in.basis->spec;
  auto sum = summarize(setup->net, setup->trips, result);
  auto actions = recommend_actions(spec, *setup, result, sum, *in.city);
  if (!in.opts.runs_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(in.opts.runs_dir, ec);
    auto path = (std::filesystem::path{in.opts.runs_dir}
                 / (std::to_string(r.id) + "-" + spec.name + ".run.h5"))
                  .string();
    if (auto err = write_run_file(path, spec, *setup, result, sum, actions))
      r.error = "run file not written: " + twin::describe(err);
    else
      r.run_file = path;
  }
  r.results_json
    = render_results(spec, *setup, sum, actions, r, *in.city).dump();
  r.actions = actions_as_alerts(r.id, spec, actions);
  in.basis->actions = std::move(actions);
  r.simulated_s = result.simulated_s;
  r.status = "done";
  r.finished = twin::now_ms();
  r.run_s = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                          - started)
              .count();
  caf::anon_send(in.service, std::move(r));
}

// Builds the run from the fork and starts it, on a detached actor: the
// setup of a large city takes seconds.
void launch(caf::actor_system& sys, run_inputs in) {
  sys.spawn<caf::detached>([in](caf::event_based_actor* self) mutable {
    auto started = std::chrono::steady_clock::now();
    auto fail = [&](const caf::error& err) {
      in.report.status = "failed";
      in.report.error = twin::describe(err);
      in.report.finished = twin::now_ms();
      caf::anon_send(in.service, in.report);
      self->quit();
    };
    if (in.fork) {
      auto live = read_fork(*in.fork, *in.city);
      if (!live)
        return fail(live.error());
      in.basis->live
        = std::make_shared<const live_conditions>(std::move(*live));
      in.fork.reset(); // the live conditions hold what runs need of it
    }
    auto setup = make_setup(*in.basis->spec, *in.city, in.opts.partitions,
                            in.basis->live.get());
    if (!setup)
      return fail(setup.error());
    // The same trips as the run the actions come from (same scenario, same
    // fork, same seed); only the road changes.
    auto applied = action_edits(in.apply, *setup);
    if (!in.apply.empty())
      setup->notes.push_back(
        std::to_string(in.apply.size()) + " recommended action(s) of run "
        + std::to_string(in.report.applied_to) + " in effect ("
        + std::to_string(applied.size() / 2) + " put on the road)");
    in.apply.clear();
    auto shared_setup
      = std::make_shared<const scenario_setup>(std::move(*setup));
    run_hooks hooks;
    hooks.progress_every_s
      = std::max(60.0, in.basis->spec->horizon_s / 100);
    hooks.progress = [service = in.service, r = in.report](double t) mutable {
      r.simulated_s = t;
      caf::anon_send(service, r);
    };
    hooks.done = [in, shared_setup, started](dynamic::model_result res) {
      finish_run(in, shared_setup, std::move(res), started);
    };
    start_scenario_run(self->system(), make_model(*shared_setup, applied),
                       std::move(hooks));
    self->quit();
  });
}

actors::scenario_service_actor::behavior_type
scenario_service(service_actor self, actors::twin_actor twin,
                 std::shared_ptr<const twin::city> city,
                 scenario_service_options opts, action_channel channel) {
  self->state.channel = std::move(channel);
  self->state.twin = std::move(twin);
  self->state.city = std::move(city);
  self->state.opts = std::move(opts);
  return {
    [self](actors::start_atom, const std::string& text,
           const std::string& who) -> caf::result<uint64_t> {
      auto& st = self->state;
      if (auto err = st.busy())
        return err;
      std::istringstream in{text};
      auto spec = read_scenario(in, "scenario", *st.city, false);
      if (!spec) {
        ++st.stats.refused_invalid;
        return std::move(spec.error());
      }
      auto& r = st.admit(spec->name, who, spec->horizon_s, "forking");
      auto shared_spec
        = std::make_shared<const scenario_spec>(std::move(*spec));
      auto asked = std::chrono::steady_clock::now();
      auto id = r.id;
      self->request(st.twin, fork_timeout, actors::fork_atom_v,
                    live_fork_kinds())
        .then(
          [self, id, shared_spec, asked](actors::twin_fork& fork) {
            auto* kept = self->state.find(id);
            if (kept == nullptr)
              return;
            kept->fork_s = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - asked)
                             .count();
            kept->forked_entities = fork.states.size();
            kept->as_of = fork.as_of;
            kept->status = "running";
            auto basis = std::make_shared<run_basis>();
            basis->spec = shared_spec;
            self->state.bases[id] = basis;
            launch(self->system(),
                   run_inputs{*kept, std::move(basis), self->state.city,
                              std::make_shared<const actors::twin_fork>(
                                std::move(fork)),
                              {}, self->state.opts,
                              caf::actor_cast<actors::scenario_service_actor>(
                                self)});
          },
          [self, id](caf::error& err) {
            if (auto* kept = self->state.find(id)) {
              auto r = *kept;
              r.status = "failed";
              r.error = "fork: " + twin::describe(err);
              r.finished = twin::now_ms();
              self->state.update(std::move(r));
            }
          });
      return id;
    },
    [self](caf::get_atom) {
      return std::vector<scenario_report>(self->state.runs.rbegin(),
                                          self->state.runs.rend());
    },
    [self](caf::get_atom, uint64_t id) -> caf::result<scenario_report> {
      if (auto* r = self->state.find(id))
        return *r;
      return caf::make_error(twin::errc::unknown_entity,
                             "no what-if run " + std::to_string(id));
    },
    [self](actors::issue_atom, uint64_t id,
           const std::string& who) -> caf::result<uint32_t> {
      auto& st = self->state;
      auto* r = st.find(id);
      if (r == nullptr)
        return caf::make_error(twin::errc::unknown_entity,
                               "no what-if run " + std::to_string(id));
      if (r->status != "done")
        return caf::make_error(twin::errc::out_of_range,
                               "what-if run " + std::to_string(id) + " is "
                                 + r->status + ", not done");
      if (!st.channel.alerts)
        return caf::make_error(twin::errc::invalid_config,
                               "no alerts on this server to issue actions "
                               "with (serve --rules FILE)");
      auto now = twin::now_ms();
      rules::outputs out;
      out.alerts = r->actions;
      std::string audiences;
      for (auto& ch : out.alerts) {
        ch.time = now;
        for (auto part : twin::split(ch.audience, ','))
          if (audiences.find(part) == std::string::npos)
            audiences += (audiences.empty() ? "" : ", ") + std::string{part};
      }
      auto n = static_cast<uint32_t>(out.alerts.size());
      // The issue first, then the alerts it raises, in the audit's order.
      if (st.channel.audit)
        self->send(st.channel.audit,
                   twin::audit_entry{0, now, twin::audit_kind::advice_issued,
                                     who, "whatif:run-" + std::to_string(id),
                                     std::to_string(n)
                                       + " recommended actions of scenario "
                                       + r->name + " for " + audiences,
                                     "issued from a what-if run"});
      self->send(st.channel.alerts, std::move(out));
      ++r->times_issued;
      return n;
    },
    [self](actors::apply_atom, uint64_t id, std::vector<uint32_t> picked,
           const std::string& who) -> caf::result<uint64_t> {
      auto& st = self->state;
      auto* base = st.find(id);
      auto basis = st.bases.find(id);
      if (base == nullptr || basis == st.bases.end())
        return caf::make_error(twin::errc::unknown_entity,
                               "no what-if run " + std::to_string(id));
      if (base->status != "done")
        return caf::make_error(twin::errc::out_of_range,
                               "what-if run " + std::to_string(id) + " is "
                                 + base->status + ", not done");
      const auto& actions = basis->second->actions;
      auto name = "run " + std::to_string(id);
      if (picked.empty())
        for (uint32_t n = 0; n < actions.size(); ++n)
          if (changes_traffic(actions[n]))
            picked.push_back(n);
      if (picked.empty())
        return caf::make_error(
          twin::errc::invalid_config,
          "none of the " + std::to_string(actions.size())
            + " recommended actions of " + name
            + " changes traffic (extend_green, reroute): there is nothing "
              "to run again");
      // An action named twice is in effect once.
      std::sort(picked.begin(), picked.end());
      picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
      std::vector<recommended_action> chosen;
      for (auto n : picked) {
        if (n >= actions.size())
          return caf::make_error(twin::errc::invalid_config,
                                 name + " has "
                                   + std::to_string(actions.size())
                                   + " recommended actions; there is no "
                                     "action "
                                   + std::to_string(n));
        if (!changes_traffic(actions[n]))
          return caf::make_error(twin::errc::invalid_config,
                                 "action " + std::to_string(n) + " of "
                                   + name + " (" + actions[n].kind
                                   + ") advises people and changes no "
                                     "traffic to simulate");
        chosen.push_back(actions[n]);
      }
      if (auto err = st.busy())
        return err;
      auto forked = base->forked_entities;
      auto as_of = base->as_of;
      auto again = std::make_shared<run_basis>();
      again->spec = basis->second->spec;
      again->live = basis->second->live;
      auto& r = st.admit(base->name, who, base->horizon_s, "running");
      r.forked_entities = forked;
      r.as_of = as_of;
      r.applied_to = id;
      for (const auto& a : chosen)
        r.applied.push_back(describe_applied(a));
      st.bases[r.id] = again;
      launch(self->system(),
             run_inputs{r, std::move(again), st.city, nullptr,
                        std::move(chosen), st.opts,
                        caf::actor_cast<actors::scenario_service_actor>(
                          self)});
      return r.id;
    },
    [self](scenario_report& r) { self->state.update(std::move(r)); },
    [self](actors::stats_atom) { return self->state.stats; },
  };
}

} // namespace

actors::scenario_service_actor
spawn_scenario_service(caf::actor_system& sys, actors::twin_actor twin,
                       std::shared_ptr<const twin::city> city,
                       scenario_service_options opts,
                       action_channel channel) {
  return sys.spawn(scenario_service, std::move(twin), std::move(city),
                   std::move(opts), std::move(channel));
}

} // namespace citytwin::scenarios
