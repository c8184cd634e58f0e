// actors/spawn_rules.cpp
#include "actors/spawn_rules.hpp"

#include "actors/alerts.hpp"
#include "actors/rule_evaluator.hpp"
#include "actors/type_ids.hpp"

#include <caf/scoped_actor.hpp>

namespace citytwin::actors {

running_rules spawn_rules(caf::actor_system& sys, const twin_handles& twin,
                          const std::string& city,
                          std::shared_ptr<const rules::bound_rules> rules,
                          rules::engine_limits limits) {
  running_rules result;
  result.alerts = sys.spawn(alerts, city, twin.audit);
  auto partitions = std::max<size_t>(1, twin.routers.size());
  for (size_t p = 0; p < partitions; ++p) {
    // On a cluster each node evaluates the partitions of its own shards,
    // so every rule instance runs exactly once in the cluster.
    if (!twin.hosted.empty() && !twin.hosts(p))
      continue;
    rule_evaluator_config config;
    config.partition = p;
    config.partitions = partitions;
    config.twin = twin.front;
    config.alerts = result.alerts;
    config.limits = limits;
    result.evaluators.push_back(
      sys.spawn(rule_evaluator, std::move(config), rules_load{rules}));
    caf::anon_send(result.alerts, caf::join_atom_v, result.evaluators.back());
  }
  return result;
}

void reload_rules(const running_rules& running,
                  std::shared_ptr<const rules::bound_rules> rules) {
  for (const auto& e : running.evaluators)
    caf::anon_send(e, rules_load{rules});
}

void stop_rules(caf::actor_system& sys, running_rules& running) {
  caf::scoped_actor self{sys, true};
  for (const auto& e : running.evaluators) {
    self->send_exit(e, caf::exit_reason::user_shutdown);
    self->wait_for(e);
  }
  if (running.alerts) {
    self->send_exit(running.alerts, caf::exit_reason::user_shutdown);
    self->wait_for(running.alerts);
  }
  running = {};
}

} // namespace citytwin::actors
