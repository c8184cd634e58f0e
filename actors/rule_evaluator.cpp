// actors/rule_evaluator.cpp
#include "actors/rule_evaluator.hpp"

#include "actors/defaults.hpp"
#include "actors/shard.hpp"
#include "actors/type_ids.hpp"
#include "twin/error.hpp"

namespace citytwin::actors {

namespace {

void dispatch(rules_actor::stateful_pointer<rule_evaluator_state> self,
              rules::outputs& out);

// Asks the twin for every input with no value yet, so rules over quiet
// sensors need not wait for their next reading.
void ask_unknown(rules_actor::stateful_pointer<rule_evaluator_state> self) {
  for (auto id : self->state.engine->unknown_inputs())
    self->request(self->state.config.twin, defaults::internal_timeout,
                  caf::get_atom_v, id)
      .then(
        [self](const twin::entity_state& state) {
          // A state that arrives before its first delta is evaluated at
          // once.
          auto& engine = *self->state.engine;
          engine.observe(state);
          rules::outputs out;
          engine.evaluate(std::max(engine.now(), state.updated), out);
          dispatch(self, out);
        },
        [](const caf::error&) {
          // An entity created at runtime and gone, or a twin stopping:
          // the input waits for its first delta instead.
        });
}

// Subscribes to the kinds the engine reads (again, after a reload that
// reads other kinds), then asks for the inputs it has not seen: asked only
// once the subscription stands, a reading applied in between is in the
// answer or in a delta, never in neither.
void prime(rules_actor::stateful_pointer<rule_evaluator_state> self) {
  auto& st = self->state;
  auto kinds = st.kinds_read();
  if (kinds == st.subscribed_kinds) {
    ask_unknown(self);
    return;
  }
  st.subscribed_kinds = kinds;
  auto me = caf::actor_cast<subscriber_actor>(self);
  if (kinds == 0) {
    self->send(st.config.twin, caf::unsubscribe_atom_v, me);
    return;
  }
  self
    ->request(st.config.twin, defaults::internal_timeout,
              caf::subscribe_atom_v, me, subscription_filter{kinds})
    .then([self](caf::ok_atom) { ask_unknown(self); },
          [](const caf::error&) {});
}

void dispatch(rules_actor::stateful_pointer<rule_evaluator_state> self,
              rules::outputs& out) {
  auto& st = self->state;
  for (auto& cmd : out.commands) {
    auto target = cmd.target;
    auto issuer = cmd.issuer;
    auto time = cmd.time;
    auto what = twin::describe(cmd);
    self->request(st.config.twin, defaults::internal_timeout, command_atom_v,
                  std::move(cmd))
      .then([](const twin::entity_state&) {},
            [self, target, issuer, time, what](const caf::error& err) {
              // The actuator did not do what the rule asked: that is an
              // alert on the actuator, not a silent miss.
              rules::outputs report;
              rules::alert_change a;
              a.rule = issuer.substr(issuer.find(':') + 1);
              a.anchor = target;
              a.kind = "actuator_refused";
              a.level = rules::severity::warning;
              a.text = what + " refused";
              a.why = twin::describe(err);
              a.time = time;
              report.alerts.push_back(std::move(a));
              self->send(self->state.config.alerts, std::move(report));
            });
  }
  out.commands.clear();
  if (!out.empty() && st.config.alerts)
    self->send(st.config.alerts, std::move(out));
}

// Asks the twin about entities whose silence passed their deadline: only
// one that has not reported since (deltas do not show repeated values) is
// stale.
void check_suspects(rules_actor::stateful_pointer<rule_evaluator_state> self,
                    const std::vector<twin::entity_id>& suspects) {
  for (auto id : suspects)
    self->request(self->state.config.twin, defaults::internal_timeout,
                  caf::get_atom_v, id)
      .then(
        [self](const twin::entity_state& state) {
          rules::outputs out;
          self->state.stale->checked(state, self->state.engine->now(),
                                     out.alerts);
          dispatch(self, out);
        },
        [self, id](const caf::error&) { self->state.stale->forget(id); });
}

} // namespace

uint32_t rule_evaluator_state::kinds_read() const {
  return engine->rules().kinds_read | aggregates->kinds_read()
         | stale->kinds_read() | actuators->kinds_read();
}

bool rule_evaluator_state::mine(const rules::bound_instance& x) const {
  if (x.whole_city)
    return config.partition == 0;
  return shard_of(x.anchor, config.partitions) == config.partition;
}

void rule_evaluator_state::load(std::shared_ptr<const rules::bound_rules> rules,
                                rules::outputs& out) {
  auto next = std::make_unique<rules::engine>(
    std::move(rules), [this](const rules::bound_instance& x) { return mine(x); },
    config.limits);
  auto source = next->rules().source;
  auto next_aggregates = std::make_unique<rules::aggregator>(
    std::shared_ptr<const std::vector<rules::aggregate>>(source,
                                                         &source->aggregates),
    next->rules().city,
    [this](size_t i) { return i % config.partitions == config.partition; });
  auto in_partition = [this](twin::entity_id id) {
    return shard_of(id, config.partitions) == config.partition;
  };
  auto next_stale = std::make_unique<rules::stale_watch>(source->watch.stale,
                                                         in_partition);
  auto next_actuators = std::make_unique<rules::actuator_watch>(
    source->watch.actuators, in_partition);
  if (engine) {
    next->adopt(*engine);
    next_aggregates->adopt(*aggregates);
    next_stale->adopt(*stale, engine->now(), out.alerts);
    next_actuators->adopt(*actuators, engine->now(), out.alerts);
  }
  engine = std::move(next);
  aggregates = std::move(next_aggregates);
  stale = std::move(next_stale);
  actuators = std::move(next_actuators);
}

rules_actor::behavior_type
rule_evaluator(rules_actor::stateful_pointer<rule_evaluator_state> self,
               rule_evaluator_config config, rules_load initial) {
  self->state.config = std::move(config);
  rules::outputs unused; // nothing to adopt from at start
  self->state.load(std::move(initial.rules), unused);
  prime(self);
  return {
    [self](const twin::delta_batch& batch) {
      auto& engine = *self->state.engine;
      twin::time_ms now = engine.now();
      auto& aggregates = *self->state.aggregates;
      auto& stale = *self->state.stale;
      auto& actuators = *self->state.actuators;
      rules::outputs out;
      for (const auto& d : batch) {
        engine.observe(d.state);
        aggregates.observe(d.state, d.changed);
        stale.observe(d.state, out.alerts);
        actuators.observe(d.state, out.alerts);
        now = std::max(now, d.state.updated);
      }
      engine.evaluate(now, out);
      aggregates.evaluate(now, out.aggregates);
      actuators.evaluate(now, out.alerts);
      std::vector<twin::entity_id> suspects;
      stale.evaluate(now, suspects);
      check_suspects(self, suspects);
      dispatch(self, out);
    },
    [self](rules_load& x) {
      rules::outputs out;
      self->state.load(std::move(x.rules), out);
      prime(self);
      self->state.engine->evaluate(self->state.engine->now(), out);
      dispatch(self, out);
    },
    [self](rules_atom, const rules::disabled_rule& x) {
      self->state.engine->stop_rule(x.rule, x.why);
    },
    [self](caf::get_atom, rules_atom) { return self->state.engine->status(); },
  };
}

} // namespace citytwin::actors
