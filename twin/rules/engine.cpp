// twin/rules/engine.cpp
#include "twin/rules/engine.hpp"

#include "twin/rules/derived.hpp"

#include "twin/rules/collection_route.hpp"
#include "twin/rules/duration.hpp"
#include "twin/solar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

namespace citytwin::rules {

namespace {

constexpr twin::time_ms minute_ms = 60'000;

// Sun and time-of-day clauses are re-checked once per simulated minute:
// the sun moves a quarter of a degree in that time.
constexpr twin::time_ms temporal_step_ms = minute_ms;

// How many matched inputs an explanation names before "and N more".
constexpr size_t max_named_inputs = 3;

std::string number(double x) {
  char buf[32];
  if (std::fabs(x) >= 100)
    std::snprintf(buf, sizeof buf, "%.0f", x);
  else
    std::snprintf(buf, sizeof buf, "%.2f", x);
  std::string result = buf;
  if (result.find('.') != std::string::npos) {
    while (result.back() == '0')
      result.pop_back();
    if (result.back() == '.')
      result.pop_back();
  }
  return result;
}

std::string short_name(twin::entity_id id) {
  return std::string{twin::ngsi_type(id.kind)} + ":" + std::to_string(id.number);
}

std::string hhmm(uint32_t minutes) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02u:%02u", minutes / 60, minutes % 60);
  return buf;
}

// Local minutes after midnight at `now`.
uint32_t local_minute(twin::time_ms now, int utc_offset_min) {
  auto minutes = now / minute_ms + utc_offset_min;
  auto day = int64_t{24 * 60};
  return static_cast<uint32_t>(((minutes % day) + day) % day);
}

bool uses_matched(const action& a) {
  return (a.what == action_kind::command
          && (a.to.rel == relation::matched
              || (a.to.rel == relation::along && a.to.base == relation::matched)
              || (a.command == twin::command_kind::signal_plan
                  && a.plan == plan_kind::favour)))
         || (a.what == action_kind::recommend
             && a.recommend == recommendation::collection_route);
}

} // namespace

engine::engine(std::shared_ptr<const bound_rules> rules,
               std::function<bool(const bound_instance&)> mine,
               engine_limits limits)
  : rules_(std::move(rules)), limits_(limits) {
  const auto& all = rules_->instances;
  slots_.resize(all.size());
  states_.resize(all.size());
  per_rule_.resize(rules_->source->rules.size());
  for (uint32_t i = 0; i < all.size(); ++i) {
    const auto& x = all[i];
    if (mine && !mine(x))
      continue;
    mine_.push_back(i);
    slots_[i].resize(x.inputs.size());
    auto& st = states_[i];
    st.latched.assign(x.clauses.size(), 0);
    st.matched.resize(x.clauses.size());
    st.advised.resize(x.then.size());
    st.derived.assign(x.then.size(), std::numeric_limits<double>::quiet_NaN());
    for (uint32_t k = 0; k < x.inputs.size(); ++k)
      readers_[twin::pack(x.inputs[k].id)].emplace_back(i, k);
    if (x.temporal)
      temporal_.push_back(i);
  }
}

std::vector<twin::entity_id> engine::unknown_inputs() const {
  std::vector<twin::entity_id> result;
  for (auto i : mine_)
    for (uint32_t k = 0; k < slots_[i].size(); ++k)
      if (std::isnan(slots_[i][k].value))
        result.push_back(rules_->instances[i].inputs[k].id);
  std::sort(result.begin(), result.end());
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

void engine::observe(const twin::entity_state& state) {
  auto found = readers_.find(twin::pack(state.id));
  if (found == readers_.end())
    return;
  for (auto [i, k] : found->second) {
    auto& s = slots_[i][k];
    // An older state (a start-up answer overtaken by a delta) never
    // replaces a newer one; a command keeps the time and changes a value.
    if (state.updated < s.time)
      continue;
    auto value = rules_->instances[i].inputs[k].read.read(state);
    if (value == s.value && state.updated <= s.time)
      continue;
    // A rate changes with time even when the value does not (flat after
    // a jump is a rate of 0): either change re-evaluates the instance.
    bool changed = value != s.value;
    if (!std::isnan(s.value) && state.updated > s.time) {
      auto rate = (value - s.value) / double(state.updated - s.time);
      changed = changed || !(rate == s.rate);
      s.rate = rate;
    }
    s.value = value;
    s.time = std::max(s.time, state.updated);
    if (changed && !states_[i].dirty) {
      states_[i].dirty = true;
      dirty_.push_back(i);
    }
  }
}

void engine::evaluate(twin::time_ms now, outputs& out) {
  now_ = std::max(now_, now);
  auto mark = [this](uint32_t i) {
    if (!states_[i].dirty) {
      states_[i].dirty = true;
      dirty_.push_back(i);
    }
  };
  if (!sun_known_ || now_ - sun_computed_ >= temporal_step_ms) {
    sun_known_ = true;
    sun_computed_ = now_;
    sun_elevation_ = twin::sun_elevation_deg(rules_->city->city().center, now_);
    for (auto i : temporal_)
      mark(i);
  }
  for (auto i : pending_)
    if (states_[i].pending
        && now_ - states_[i].since
             >= rules_->rule_of(rules_->instances[i]).hold_ms)
      mark(i);
  std::erase_if(pending_, [this](uint32_t i) { return !states_[i].pending; });
  auto work = std::move(dirty_);
  dirty_.clear();
  for (auto i : work) {
    states_[i].dirty = false;
    if (per_rule_[rules_->instances[i].rule].disabled)
      continue;
    try {
      evaluate_instance(i, out);
    } catch (const std::exception& e) {
      disable(rules_->instances[i].rule,
              std::string{"evaluation failed: "} + e.what(), out);
    }
  }
}

bool engine::clause_holds(uint32_t i, size_t c,
                          std::vector<twin::entity_id>* matched,
                          std::string* why) const {
  const auto& x = rules_->instances[i];
  const auto& cl = rules_->rule_of(x).when[c];
  bool latched = states_[i].latched[c] != 0;
  auto threshold = [&](double base) {
    if (!latched)
      return base;
    return cl.above ? base - cl.hysteresis : base + cl.hysteresis;
  };
  auto base = cl.above ? *cl.above : cl.below ? *cl.below : 0;
  auto limit = threshold(base);
  auto satisfies = [&](double v) {
    return !std::isnan(v) && (cl.above ? v > limit : v < limit);
  };
  auto sign = std::string{cl.above ? " > " : " < "};
  // The rule's own threshold, unless only the hysteresis keeps the clause
  // holding: then the explanation says so.
  auto op_for = [&](double v) {
    bool beyond_base = cl.above ? v > base : v < base;
    if (beyond_base || limit == base)
      return sign + number(base);
    return sign + number(limit) + " (" + number(base) + " less hysteresis "
           + number(cl.hysteresis) + ")";
  };
  auto op = sign + number(base);
  switch (cl.what) {
    case clause::type::sun: {
      bool holds = satisfies(sun_elevation_);
      if (why)
        *why = "sun elevation " + number(sun_elevation_) + " deg"
               + (holds ? op_for(sun_elevation_) : ", not" + op);
      return holds;
    }
    case clause::type::time_of_day: {
      auto m = local_minute(now_, rules_->city->city().utc_offset_min);
      bool holds = cl.from_min < cl.to_min
                     ? (m >= cl.from_min && m < cl.to_min)
                     : (m >= cl.from_min || m < cl.to_min);
      if (why)
        *why = "local time " + hhmm(m) + (holds ? " within " : " outside ")
               + hhmm(cl.from_min) + "-" + hhmm(cl.to_min);
      return holds;
    }
    case clause::type::attribute:
      break;
  }
  auto range = x.clauses[c];
  const auto& slots = slots_[i];
  auto value = [&](uint32_t k) {
    const auto& s = slots[range.first + k];
    return cl.rate_per_ms ? s.rate * double(*cl.rate_per_ms) : s.value;
  };
  auto label = std::string{cl.attribute}
               + (cl.rate_per_ms
                    ? " change per " + format_duration(*cl.rate_per_ms)
                    : std::string{});
  size_t known = 0, count = 0;
  double sum = 0;
  std::vector<uint32_t> hits;
  for (uint32_t k = 0; k < range.count; ++k) {
    auto v = value(k);
    if (std::isnan(v))
      continue;
    ++known;
    sum += v;
    if (satisfies(v)) {
      ++count;
      hits.push_back(k);
    }
  }
  bool holds = false;
  double aggregate = 0;
  switch (cl.how) {
    case match::any:
      holds = count >= cl.at_least;
      break;
    case match::all:
      holds = known > 0 && known == range.count && count == known;
      break;
    case match::avg:
      aggregate = known ? sum / double(known) : 0;
      holds = known > 0 && satisfies(aggregate);
      break;
    case match::sum:
      aggregate = sum;
      holds = known > 0 && satisfies(aggregate);
      break;
  }
  if (matched) {
    matched->clear();
    if (cl.how == match::any || cl.how == match::all) {
      for (auto k : hits)
        matched->push_back(x.inputs[range.first + k].id);
    } else if (holds) {
      for (uint32_t k = 0; k < range.count; ++k)
        if (!std::isnan(value(k)))
          matched->push_back(x.inputs[range.first + k].id);
    }
  }
  if (why) {
    auto kind_name = range.count
                       ? std::string{twin::ngsi_type(x.inputs[range.first].id.kind)}
                       : std::string{"entity"};
    if (cl.how == match::avg || cl.how == match::sum) {
      *why = std::string{cl.how == match::avg ? "mean " : "sum of "} + label
             + " over " + std::to_string(known) + " " + kind_name + " "
             + number(aggregate) + (holds ? op_for(aggregate) : ", not" + op);
    } else if (!hits.empty()) {
      std::string text;
      for (size_t h = 0; h < hits.size() && h < max_named_inputs; ++h) {
        if (h)
          text += ", ";
        text += short_name(x.inputs[range.first + hits[h]].id) + " " + label
                + " " + number(value(hits[h])) + op_for(value(hits[h]));
      }
      if (hits.size() > max_named_inputs)
        text += " and " + std::to_string(hits.size() - max_named_inputs)
                + " more";
      if (!holds)
        text += " (" + std::to_string(count) + " of "
                + std::to_string(cl.how == match::all ? range.count
                                                      : cl.at_least)
                + " needed)";
      *why = std::move(text);
    } else {
      double extreme = std::numeric_limits<double>::quiet_NaN();
      for (uint32_t k = 0; k < range.count; ++k) {
        auto v = value(k);
        if (!std::isnan(v)
            && (std::isnan(extreme) || (cl.above ? v > extreme : v < extreme)))
          extreme = v;
      }
      *why = "no " + kind_name + " " + label + op + " ("
             + (std::isnan(extreme) ? std::string{"no values yet"}
                                    : std::string{cl.above ? "highest " : "lowest "}
                                        + number(extreme))
             + ")";
    }
  }
  return holds;
}

std::string engine::explain(uint32_t i, bool holds) const {
  const auto& x = rules_->instances[i];
  const auto& r = rules_->rule_of(x);
  std::string result;
  for (size_t c = 0; c < r.when.size(); ++c) {
    std::string part;
    bool h = clause_holds(i, c, nullptr, &part);
    // Stopping: name the clauses that no longer hold.
    if (!holds && h)
      continue;
    if (!result.empty())
      result += "; ";
    result += part;
  }
  if (holds && r.hold_ms > 0)
    result += "; for " + format_duration(r.hold_ms);
  return result;
}

void engine::evaluate_instance(uint32_t i, outputs& out) {
  const auto& x = rules_->instances[i];
  const auto& r = rules_->rule_of(x);
  auto& st = states_[i];
  bool holds = true;
  auto latched_before = st.latched;
  std::vector<std::vector<twin::entity_id>> matched(r.when.size());
  for (size_t c = 0; c < r.when.size(); ++c) {
    bool h = clause_holds(i, c, &matched[c], nullptr);
    std::sort(matched[c].begin(), matched[c].end());
    st.latched[c] = h ? 1 : 0;
    holds = holds && h;
  }
  if (holds && !st.holding) {
    st.holding = true;
    st.since = now_;
  } else if (!holds && st.holding) {
    st.holding = false;
    st.pending = false;
    if (st.fired) {
      if (!count_transition(i, out))
        return;
      st.fired = false;
      // Why it stopped is judged by the thresholds that were in force
      // (hysteresis included), not by the ones that apply from now on.
      std::swap(st.latched, latched_before);
      auto why = explain(i, false);
      std::swap(st.latched, latched_before);
      run(i, false, why, out);
    }
    return;
  }
  if (!holds)
    return;
  if (!st.fired) {
    if (now_ - st.since < r.hold_ms) {
      if (!st.pending) {
        st.pending = true;
        pending_.push_back(i);
      }
      return;
    }
    if (!count_transition(i, out))
      return;
    st.pending = false;
    st.fired = true;
    st.matched = std::move(matched);
    run(i, true, explain(i, true), out);
    return;
  }
  // In force: follow changes of the matched inputs (another approach gets
  // busy, another bin fills up).
  for (size_t a = 0; a < x.then.size(); ++a) {
    const auto& act = *x.then[a].source;
    if (act.what == action_kind::recommend
        && act.recommend == recommendation::guide_to_nearest_free
        && guide_choice(x, i, x.then[a]) != st.advised[a])
      advise(i, x.then[a], static_cast<int>(a), true, explain(i, true), out);
  }
  for (size_t a = 0; a < x.then.size(); ++a)
    if (x.then[a].source->what == action_kind::derive)
      publish_derived(i, x.then[a], static_cast<int>(a), out);
  bool changed = false;
  for (size_t c = 0; c < matched.size(); ++c)
    changed = changed || matched[c] != st.matched[c];
  // Following the matched inputs is not flapping: the condition holds
  // throughout (a whole-city rule over 500 bins sees many fill up in a
  // minute), so it does not count towards the limit.
  if (!changed)
    return;
  auto previous = std::move(st.matched);
  st.matched = std::move(matched);
  auto why = explain(i, true);
  for (size_t a = 0; a < x.then.size(); ++a) {
    const auto& act = *x.then[a].source;
    if (!uses_matched(act))
      continue;
    auto c = matched_clause(act, rules_->rule_of(x));
    if (c >= st.matched.size() || st.matched[c] == previous[c])
      continue;
    if (act.what == action_kind::recommend) {
      advise(i, x.then[a], static_cast<int>(a), true, why, out);
      continue;
    }
    if (act.command == twin::command_kind::signal_plan) {
      // A plan changes only when the set of favoured phases does.
      if (favoured(x, st.matched[c]) != favoured(x, previous[c]))
        send_commands(x, x.then[a], st.matched[c], why, out);
      continue;
    }
    std::vector<twin::entity_id> added;
    std::set_difference(st.matched[c].begin(), st.matched[c].end(),
                        previous[c].begin(), previous[c].end(),
                        std::back_inserter(added));
    send_commands(x, x.then[a], added, why, out);
  }
  // What left the matched set gets the `otherwise` commands.
  for (const auto& b : x.otherwise) {
    const auto& act = *b.source;
    if (act.what != action_kind::command || !uses_matched(act)
        || act.command == twin::command_kind::signal_plan)
      continue;
    auto c = matched_clause(act, rules_->rule_of(x));
    if (c >= st.matched.size())
      continue;
    std::vector<twin::entity_id> removed;
    std::set_difference(previous[c].begin(), previous[c].end(),
                        st.matched[c].begin(), st.matched[c].end(),
                        std::back_inserter(removed));
    if (!removed.empty())
      send_commands(x, b, removed, "no longer: " + why, out);
  }
  ++per_rule_[x.rule].firings;
  out.firings.push_back(
    {r.id, x.anchor, x.whole_city, now_, true, "changed: " + why});
}

bool engine::count_transition(uint32_t i, outputs& out) {
  auto& st = states_[i];
  if (now_ - st.window_start >= minute_ms) {
    st.window_start = now_;
    st.transitions = 0;
  }
  if (++st.transitions <= limits_.max_transitions_per_minute)
    return true;
  const auto& x = rules_->instances[i];
  disable(x.rule,
          "instance for " + short_name(x.anchor) + " changed more than "
            + std::to_string(limits_.max_transitions_per_minute)
            + " times in a simulated minute (add hysteresis or 'for')",
          out);
  return false;
}

void engine::disable(uint32_t rule, std::string why, outputs& out) {
  auto& pr = per_rule_[rule];
  if (pr.disabled)
    return;
  pr.disabled = true;
  pr.why = why;
  const auto& id = rules_->source->rules[rule].id;
  out.disabled.push_back({id, why, now_});
  alert_change a;
  a.rule = id;
  a.whole_city = true;
  a.kind = "rule_disabled";
  a.level = severity::critical;
  a.text = "rule '" + id + "' disabled";
  a.why = std::move(why);
  a.time = now_;
  out.alerts.push_back(std::move(a));
}

void engine::adopt(const engine& previous) {
  now_ = std::max(now_, previous.now_);
  std::unordered_map<std::string, uint32_t> by_key;
  auto key = [](const std::string& id, twin::entity_id anchor) {
    return id + "#" + std::to_string(twin::pack(anchor));
  };
  const auto& before = previous.rules_->instances;
  for (auto p : previous.mine_)
    by_key.emplace(key(previous.rules_->rule_of(before[p]).id,
                       before[p].anchor),
                   p);
  for (auto i : mine_) {
    const auto& x = rules_->instances[i];
    for (uint32_t k = 0; k < x.inputs.size(); ++k) {
      auto found = previous.readers_.find(twin::pack(x.inputs[k].id));
      if (found == previous.readers_.end())
        continue;
      for (auto [pi, pk] : found->second)
        if (before[pi].inputs[pk].read.name() == x.inputs[k].read.name()) {
          slots_[i][k] = previous.slots_[pi][pk];
          break;
        }
    }
    auto p = by_key.find(key(rules_->rule_of(x).id, x.anchor));
    if (p != by_key.end()) {
      const auto& old = previous.states_[p->second];
      auto& st = states_[i];
      st.holding = old.holding;
      st.fired = old.fired;
      st.since = old.since;
      st.otherwise_ran = old.otherwise_ran;
      if (old.latched.size() == st.latched.size()) {
        st.latched = old.latched;
        st.matched = old.matched;
      }
      if (old.advised.size() == st.advised.size())
        st.advised = old.advised;
      if (old.derived.size() == st.derived.size())
        st.derived = old.derived;
    }
    // Re-evaluate everything once: a changed threshold applies at once.
    if (!states_[i].dirty) {
      states_[i].dirty = true;
      dirty_.push_back(i);
    }
  }
}

void engine::stop_rule(std::string_view id, const std::string& why) {
  const auto& rules = rules_->source->rules;
  for (size_t r = 0; r < rules.size(); ++r)
    if (rules[r].id == id && !per_rule_[r].disabled) {
      per_rule_[r].disabled = true;
      per_rule_[r].why = why;
    }
}

std::vector<rule_status> engine::status() const {
  const auto& rules = rules_->source->rules;
  std::vector<rule_status> result(rules.size());
  for (size_t r = 0; r < rules.size(); ++r) {
    result[r].id = rules[r].id;
    result[r].firings = per_rule_[r].firings;
    result[r].disabled = per_rule_[r].disabled;
    result[r].disabled_why = per_rule_[r].why;
  }
  for (auto i : mine_) {
    auto& s = result[rules_->instances[i].rule];
    ++s.instances;
    s.holding += states_[i].holding ? 1 : 0;
    s.fired += states_[i].fired ? 1 : 0;
  }
  return result;
}

} // namespace citytwin::rules
