// actors/rule_evaluator.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "twin/rules/actuator_watch.hpp"
#include "twin/rules/aggregator.hpp"
#include "twin/rules/engine.hpp"
#include "twin/rules/stale_watch.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <memory>

namespace citytwin::actors {

/// Where a RULES actor sits: its partition of the rule instances (by the
/// shard of their anchor, as entities are partitioned), and who it talks to.
struct rule_evaluator_config {
  size_t partition = 0;
  size_t partitions = 1;
  twin_actor twin;
  alerts_actor alerts;
  rules::engine_limits limits;
};

/// State of RULES: the engine over this partition's instances.
struct rule_evaluator_state {
  static inline const char* name = "rules";

  rule_evaluator_config config;
  std::unique_ptr<rules::engine> engine;
  /// The windowed aggregates of this partition (by index).
  std::unique_ptr<rules::aggregator> aggregates;
  /// The watches of this partition's entities.
  std::unique_ptr<rules::stale_watch> stale;
  std::unique_ptr<rules::actuator_watch> actuators;
  uint32_t subscribed_kinds = 0;

  /// A new engine for `rules`, adopting what the old one learned; alerts
  /// of watches the new file drops go to `out`.
  void load(std::shared_ptr<const rules::bound_rules> rules,
            rules::outputs& out);

  /// Kinds whose deltas the engine, aggregates and watches read.
  uint32_t kinds_read() const;

  /// True if instance `x` belongs to this partition.
  bool mine(const rules::bound_instance& x) const;
};

/// The behavior of RULES: subscribes to the kinds its rules read, asks the
/// twin for inputs it has no value for, evaluates on every delta batch,
/// sends commands to the TWIN and everything else to ALERTS. A refused
/// command becomes an alert on the actuator.
rules_actor::behavior_type
rule_evaluator(rules_actor::stateful_pointer<rule_evaluator_state> self,
               rule_evaluator_config config, rules_load initial);

} // namespace citytwin::actors
