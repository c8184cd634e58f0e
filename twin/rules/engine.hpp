// twin/rules/engine.hpp
#pragma once

#include "twin/entity_state.hpp"
#include "twin/rules/bound_rules.hpp"
#include "twin/rules/outputs.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace citytwin::rules {

/// Limits that keep one bad rule from taking the twin down with it.
struct engine_limits {
  /// An instance that changes its mind more often than this per simulated
  /// minute is flapping (a threshold without hysteresis on a noisy
  /// sensor): its rule is disabled and reported.
  uint32_t max_transitions_per_minute = 30;
};

/// How one rule is doing, for the API and the viewer.
struct rule_status {
  std::string id;
  size_t instances = 0;
  size_t holding = 0; ///< instances whose condition holds now
  size_t fired = 0;   ///< instances whose `then` actions are in force
  uint64_t firings = 0;
  bool disabled = false;
  std::string disabled_why;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rule_status& x) {
  return f(caf::meta::type_name("rule_status"), x.id, x.instances, x.holding,
           x.fired, x.firings, x.disabled, x.disabled_why);
}

/// Evaluates bound rules on deltas, in simulated time, with no threads and
/// no clock of its own: the RULES actor feeds it the states it receives
/// and the time they carry, and sends what it produces. Only inputs that
/// some rule reads are kept (one value per instance input, with the
/// previous one for rates of change); a delta re-evaluates only the
/// instances that read its entity. Durations, darkness and the time of
/// day advance with the simulated time of the deltas.
class engine {
public:
  /// Evaluates the instances for which `mine` holds (the partition of
  /// one actor); all of them without it.
  engine(std::shared_ptr<const bound_rules> rules,
         std::function<bool(const bound_instance&)> mine = nullptr,
         engine_limits limits = {});

  const bound_rules& rules() const {
    return *rules_;
  }

  /// Ids of inputs with no value yet (to ask the twin for at start).
  std::vector<twin::entity_id> unknown_inputs() const;

  /// Takes an entity's new state; instances reading it are evaluated at
  /// the next `evaluate`.
  void observe(const twin::entity_state& state);

  /// Evaluates what changed, and what time changed, at simulated time
  /// `now` (the newest reading time seen; never goes back).
  void evaluate(twin::time_ms now, outputs& out);

  /// Carries values and instance states over from the engine a reload
  /// replaces (instances match by rule id and anchor), so a reload drops
  /// nothing that was learned.
  void adopt(const engine& previous);

  /// Stops evaluating rule `id`, which another partition found misbehaving
  /// (that one reported it).
  void stop_rule(std::string_view id, const std::string& why);

  /// Per rule, in file order.
  std::vector<rule_status> status() const;

  size_t num_instances() const {
    return mine_.size();
  }

  twin::time_ms now() const {
    return now_;
  }

private:
  struct slot {
    double value = std::numeric_limits<double>::quiet_NaN();
    double rate = std::numeric_limits<double>::quiet_NaN(); // per ms
    twin::time_ms time = std::numeric_limits<twin::time_ms>::min();
  };

  struct instance_state {
    bool holding = false;
    bool fired = false;
    bool dirty = false;
    bool pending = false; // holding, waiting for the rule's `for`
    bool otherwise_ran = false;
    twin::time_ms since = 0;
    std::vector<uint8_t> latched;                  // per clause
    std::vector<std::vector<twin::entity_id>> matched; // per clause, as fired
    std::vector<std::vector<twin::entity_id>> advised; // per then-action
    std::vector<double> derived; // per then-action: last published, or NaN
    twin::time_ms window_start = 0;
    uint32_t transitions = 0;
  };

  struct per_rule {
    uint64_t firings = 0;
    bool disabled = false;
    std::string why;
  };

  void evaluate_instance(uint32_t i, outputs& out);
  bool clause_holds(uint32_t i, size_t c, std::vector<twin::entity_id>* matched,
                    std::string* why) const;
  void run(uint32_t i, bool then, const std::string& why, outputs& out);
  bool count_transition(uint32_t i, outputs& out);
  void disable(uint32_t rule, std::string why, outputs& out);
  std::string explain(uint32_t i, bool holds) const;
  std::vector<twin::entity_id> targets(const bound_instance& x,
                                       const bound_action& a,
                                       const std::vector<twin::entity_id>&
                                         matched) const;
  void send_commands(const bound_instance& x, const bound_action& a,
                     const std::vector<twin::entity_id>& matched,
                     const std::string& why, outputs& out);
  void advise(uint32_t i, const bound_action& a, int then_index, bool issued,
              const std::string& why, outputs& out);
  /// Publishes a derived attribute; a then-action's only when it changed.
  void publish_derived(uint32_t i, const bound_action& a, int then_index,
                       outputs& out);
  /// Phases (bits) serving the approaches of `matched` entities.
  uint32_t favoured(const bound_instance& x,
                    const std::vector<twin::entity_id>& matched) const;
  std::vector<twin::entity_id> guide_choice(const bound_instance& x,
                                           uint32_t i,
                                           const bound_action& a) const;

  std::shared_ptr<const bound_rules> rules_;
  engine_limits limits_;
  std::vector<uint32_t> mine_;                   // instance indexes
  std::vector<std::vector<slot>> slots_;         // per instance (all)
  std::vector<instance_state> states_;           // per instance (all)
  std::vector<per_rule> per_rule_;
  // Which instance inputs read an entity (packed id).
  std::unordered_map<uint64_t, std::vector<std::pair<uint32_t, uint32_t>>>
    readers_;
  std::vector<uint32_t> dirty_;
  std::vector<uint32_t> pending_;
  std::vector<uint32_t> temporal_;
  twin::time_ms now_ = 0;
  bool sun_known_ = false;
  twin::time_ms sun_computed_ = 0;
  double sun_elevation_ = 0;
};

} // namespace citytwin::rules
