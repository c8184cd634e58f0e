// twin/rules/actuator_watch.hpp
#pragma once

#include "twin/entity_state.hpp"
#include "twin/rules/outputs.hpp"
#include "twin/rules/watch.hpp"

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace citytwin::rules {

/// Finds lamps that do not follow their commands, in simulated time. A
/// dim command (from a rule, an operator or MQTT) leaves the lamp's state
/// `command_pending` until the lamp reports the commanded level (the twin
/// publishes the command outward on MQTT for the real lamp to follow).
/// If that report has not come `confirm_within` after the command, the
/// lamp is not responding: an alert on it, cleared by the confirming
/// report or by a newer command that the lamp confirms. The state that
/// says whether a command is pending lives in the lamp's actor; the watch
/// only keeps the deadlines.
///
/// Traffic lights report their phase, not their plan, so there is nothing
/// a light reports that could confirm a plan; they are not watched.
class actuator_watch {
public:
  explicit actuator_watch(actuator_watch_config config,
                          std::function<bool(twin::entity_id)> mine = nullptr);

  /// Kinds whose deltas the watch reads (bit 1 << kind); 0 when off.
  uint32_t kinds_read() const;

  /// Takes a lamp's delta: a new pending command starts a deadline, a
  /// confirmation ends it (and clears an alert).
  void observe(const twin::entity_state& state,
               std::vector<alert_change>& out);

  /// Raises the alerts of commands whose deadline passed by `now`.
  void evaluate(twin::time_ms now, std::vector<alert_change>& out);

  /// Carries the pending commands over a reload (or clears their alerts
  /// when the new file does not watch actuators).
  void adopt(actuator_watch& previous, twin::time_ms now,
             std::vector<alert_change>& out);

  size_t num_pending() const {
    return pending_.size();
  }

private:
  struct pending {
    twin::time_ms commanded_at = 0;
    double level = 0;
    double reported = 0; // the lamp's level as last seen
    bool alerted = false;
  };

  alert_change change(twin::entity_id id, const pending& p, twin::time_ms now,
                      bool raised) const;

  actuator_watch_config config_;
  std::function<bool(twin::entity_id)> mine_;
  std::unordered_map<uint64_t, pending> pending_; // by packed id
  // Min-heap of (deadline, packed id); an entry whose command was
  // confirmed or replaced since is skipped when it comes up.
  std::vector<std::pair<twin::time_ms, uint64_t>> deadlines_;
};

} // namespace citytwin::rules
