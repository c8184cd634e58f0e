// twin/rules/actuator_watch.cpp
#include "twin/rules/actuator_watch.hpp"

#include "twin/civil_time.hpp"
#include "twin/text.hpp"
#include "twin/rules/duration.hpp"

#include <algorithm>
#include <functional>

namespace citytwin::rules {

namespace {

using entry = std::pair<twin::time_ms, uint64_t>;
constexpr auto later = std::greater<entry>{};

} // namespace

actuator_watch::actuator_watch(actuator_watch_config config,
                               std::function<bool(twin::entity_id)> mine)
    : config_(config), mine_(std::move(mine)) {
}

uint32_t actuator_watch::kinds_read() const {
  return config_.enabled
           ? uint32_t{1} << static_cast<int>(twin::entity_kind::street_lamp)
           : 0;
}

alert_change actuator_watch::change(twin::entity_id id, const pending& p,
                                    twin::time_ms now, bool raised) const {
  alert_change result;
  result.rule = std::string{actuator_watch_name};
  result.anchor = id;
  result.kind = "actuator_not_responding";
  result.level = severity::warning;
  result.time = now;
  result.raised = raised;
  if (raised) {
    result.text = "lamp did not confirm dim to " + twin::shortest(p.level);
    result.why = "commanded at " + twin::format_iso_time(p.commanded_at)
                 + "; no report of that level within "
                 + format_duration(config_.confirm_within_ms)
                 + "; the lamp last showed " + twin::shortest(p.reported);
  } else {
    result.text = "lamp confirms dim to " + twin::shortest(p.level);
    result.why = "reported the commanded level";
  }
  return result;
}

void actuator_watch::observe(const twin::entity_state& state,
                             std::vector<alert_change>& out) {
  if (!config_.enabled || state.id.kind != twin::entity_kind::street_lamp
      || (mine_ && !mine_(state.id)))
    return;
  const auto& lamp = state.as<twin::street_lamp_state>();
  auto key = twin::pack(state.id);
  auto i = pending_.find(key);
  if (!lamp.command_pending) {
    if (i == pending_.end())
      return;
    if (i->second.alerted)
      out.push_back(change(state.id, i->second, state.updated, false));
    pending_.erase(i);
    return;
  }
  if (i == pending_.end())
    i = pending_.emplace(key, pending{}).first;
  auto& p = i->second;
  if (i->second.commanded_at != lamp.last_command || p.level
      != lamp.commanded_level) {
    p.commanded_at = lamp.last_command;
    p.level = lamp.commanded_level;
    if (!p.alerted) {
      deadlines_.emplace_back(p.commanded_at + config_.confirm_within_ms, key);
      std::push_heap(deadlines_.begin(), deadlines_.end(), later);
    }
  }
  p.reported = lamp.dim_level;
}

void actuator_watch::evaluate(twin::time_ms now,
                              std::vector<alert_change>& out) {
  while (!deadlines_.empty() && deadlines_.front().first < now) {
    std::pop_heap(deadlines_.begin(), deadlines_.end(), later);
    auto [due, key] = deadlines_.back();
    deadlines_.pop_back();
    auto i = pending_.find(key);
    if (i == pending_.end() || i->second.alerted
        || i->second.commanded_at + config_.confirm_within_ms != due)
      continue; // confirmed, or replaced by a newer command
    i->second.alerted = true;
    out.push_back(change(twin::unpack(key), i->second, now, true));
  }
}

void actuator_watch::adopt(actuator_watch& previous, twin::time_ms now,
                           std::vector<alert_change>& out) {
  for (auto& [key, p] : previous.pending_) {
    if (!config_.enabled || (mine_ && !mine_(twin::unpack(key)))) {
      if (p.alerted) {
        auto cleared = change(twin::unpack(key), p, now, false);
        cleared.text = "no longer watched";
        cleared.why = "the rule file no longer watches actuators";
        out.push_back(std::move(cleared));
      }
      continue;
    }
    pending_[key] = p;
    if (!p.alerted) {
      deadlines_.emplace_back(p.commanded_at + config_.confirm_within_ms, key);
      std::push_heap(deadlines_.begin(), deadlines_.end(), later);
    }
  }
}

} // namespace citytwin::rules
