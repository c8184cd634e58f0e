// twin/rules/engine_actions.cpp
// What the engine does when a rule fires or lets go: commands to the
// actuators it selects, alerts, recommendations and derived attributes.
// When rules fire is engine.cpp.
#include "twin/rules/engine.hpp"

#include "twin/rules/collection_route.hpp"
#include "twin/rules/derived.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace citytwin::rules {

std::vector<twin::entity_id>
engine::targets(const bound_instance& x, const bound_action& b,
                const std::vector<twin::entity_id>& matched) const {
  const auto& a = *b.source;
  if (a.command == twin::command_kind::signal_plan && a.plan == plan_kind::favour)
    return {x.anchor};
  if (a.to.rel == relation::matched) {
    std::vector<twin::entity_id> result;
    for (auto id : matched)
      if (id.kind == twin::actuator_of(a.command))
        result.push_back(id);
    return result;
  }
  if (a.to.rel == relation::along && a.to.base == relation::matched) {
    std::vector<twin::entity_id> result;
    for (auto seg : matched)
      for (auto id : rules_->city->along(seg, *a.to.kind))
        result.push_back(id);
    return result;
  }
  return b.targets;
}

void engine::send_commands(const bound_instance& x, const bound_action& b,
                           const std::vector<twin::entity_id>& matched,
                           const std::string& why, outputs& out) {
  const auto& a = *b.source;
  const auto& r = rules_->rule_of(x);
  const auto& city = *rules_->city;
  for (auto target : targets(x, b, matched)) {
    twin::command cmd;
    cmd.target = target;
    cmd.kind = a.command;
    cmd.time = now_;
    cmd.issuer = "rule:" + r.id;
    switch (a.command) {
      case twin::command_kind::dim:
        cmd.level = a.level;
        break;
      case twin::command_kind::signal_mode:
        cmd.mode = a.mode;
        break;
      case twin::command_kind::signal_plan: {
        auto n = a.plan == plan_kind::fixed ? a.green_s.size()
                                            : size_t{city.num_phases(target)};
        if (n == 0 || n > twin::max_plan_phases || a.green_s.empty())
          continue;
        cmd.num_phases = static_cast<uint8_t>(n);
        for (size_t p = 0; p < n; ++p)
          cmd.green_s[p] = a.plan == plan_kind::fixed ? a.green_s[p]
                                                      : a.green_s.back();
        if (a.plan == plan_kind::equal)
          std::fill_n(cmd.green_s.begin(), n, a.green_s.front());
        if (a.plan == plan_kind::favour) {
          auto phases = favoured(x, matched);
          for (size_t p = 0; p < n; ++p)
            if (phases & (uint32_t{1} << p))
              cmd.green_s[p] = a.green_s.front();
        }
        break;
      }
    }
    cmd.reason = twin::describe(cmd) + " because " + why;
    if (cmd.reason.size() > twin::max_reason_bytes)
      cmd.reason = cmd.reason.substr(0, twin::max_reason_bytes - 3) + "...";
    out.commands.push_back(std::move(cmd));
  }
}

uint32_t engine::favoured(const bound_instance& x,
                          const std::vector<twin::entity_id>& matched) const {
  // Approach j (the city's order of segments into the intersection) is
  // served by phase j mod n.
  const auto& city = *rules_->city;
  auto n = city.num_phases(x.anchor);
  if (n == 0)
    return 0;
  auto approaches = city.approaching(x.anchor);
  uint32_t result = 0;
  for (auto m : matched) {
    auto seg = m.kind == twin::entity_kind::road_segment ? std::optional{m}
                                                         : city.segment_of(m);
    auto j = seg ? std::find(approaches.begin(), approaches.end(), *seg)
                 : approaches.end();
    if (j != approaches.end())
      result |= uint32_t{1} << (size_t(j - approaches.begin()) % n);
  }
  return result;
}

std::vector<twin::entity_id>
engine::guide_choice(const bound_instance& x, uint32_t i,
                     const bound_action& b) const {
  // Candidates are nearest first: the first with space is the nearest.
  const auto& a = *b.source;
  for (uint32_t k = 0; k < b.candidates.count; ++k) {
    auto v = slots_[i][b.candidates.first + k].value;
    if (!std::isnan(v) && v > a.candidate_above)
      return {x.inputs[b.candidates.first + k].id};
  }
  return {};
}

void engine::advise(uint32_t i, const bound_action& b, int then_index,
                    bool issued, const std::string& why, outputs& out) {
  const auto& x = rules_->instances[i];
  const auto& a = *b.source;
  auto& st = states_[i];
  advice ad;
  ad.rule = rules_->rule_of(x).id;
  ad.anchor = x.anchor;
  ad.whole_city = x.whole_city;
  ad.what = a.recommend;
  ad.audience = a.audience;
  ad.level = a.level_of_urgency;
  ad.text = a.text;
  ad.why = why;
  ad.time = now_;
  ad.issued = issued;
  if (issued) {
    switch (a.recommend) {
      case recommendation::collection_route: {
        auto c = matched_clause(a, rules_->rule_of(x));
        auto route = order_collection(
          *rules_->city, c < st.matched.size() ? st.matched[c]
                                               : std::vector<twin::entity_id>{});
        ad.entities = std::move(route.stops);
        ad.route_length_m = route.length_m;
        break;
      }
      case recommendation::divert_heavy_traffic:
        ad.entities = b.targets;
        break;
      case recommendation::guide_to_nearest_free:
        ad.entities = guide_choice(x, i, b);
        if (ad.entities.empty())
          ad.why += "; none of the " + std::to_string(b.candidates.count)
                    + " nearest has space";
        break;
      case recommendation::notice:
        break;
    }
  }
  if (then_index >= 0)
    st.advised[then_index] = issued ? ad.entities
                                    : std::vector<twin::entity_id>{};
  out.advice.push_back(std::move(ad));
}

void engine::run(uint32_t i, bool then, const std::string& why,
                 outputs& out) {
  const auto& x = rules_->instances[i];
  const auto& r = rules_->rule_of(x);
  auto& st = states_[i];
  ++per_rule_[x.rule].firings;
  out.firings.push_back({r.id, x.anchor, x.whole_city, now_, then, why});
  auto alert = [&](const action& a, bool raised) {
    alert_change ch;
    ch.rule = r.id;
    ch.anchor = x.anchor;
    ch.whole_city = x.whole_city;
    ch.kind = a.alert_kind;
    ch.level = a.level_of_urgency;
    ch.text = a.text;
    ch.why = why;
    ch.time = now_;
    ch.raised = raised;
    out.alerts.push_back(std::move(ch));
  };
  // What the other side raised or advised ends now.
  if (then) {
    if (st.otherwise_ran)
      for (const auto& b : x.otherwise) {
        if (b.source->what == action_kind::alert)
          alert(*b.source, false);
        if (b.source->what == action_kind::recommend)
          advise(i, b, -1, false, why, out);
      }
  } else {
    for (size_t k = 0; k < x.then.size(); ++k) {
      const auto& b = x.then[k];
      if (b.source->what == action_kind::alert)
        alert(*b.source, false);
      if (b.source->what == action_kind::recommend)
        advise(i, b, static_cast<int>(k), false, why, out);
    }
  }
  st.otherwise_ran = !then;
  const auto& list = then ? x.then : x.otherwise;
  for (size_t k = 0; k < list.size(); ++k) {
    const auto& b = list[k];
    const auto& a = *b.source;
    switch (a.what) {
      case action_kind::command: {
        // `otherwise` acts on what matched when `then` last ran.
        auto c = matched_clause(a, rules_->rule_of(x));
        static const std::vector<twin::entity_id> none;
        send_commands(x, b, c < st.matched.size() ? st.matched[c] : none,
                      then ? why : "no longer: " + why, out);
        break;
      }
      case action_kind::alert:
        alert(a, true);
        break;
      case action_kind::recommend:
        advise(i, b, then ? static_cast<int>(k) : -1, true, why, out);
        break;
      case action_kind::derive:
        publish_derived(i, b, then ? static_cast<int>(k) : -1, out);
        break;
    }
  }
  // A `then` that runs again publishes its derived values again, even if
  // `otherwise` published others in between.
  if (!then)
    std::fill(st.derived.begin(), st.derived.end(),
              std::numeric_limits<double>::quiet_NaN());
}

void engine::publish_derived(uint32_t i, const bound_action& b,
                             int then_index, outputs& out) {
  const auto& x = rules_->instances[i];
  const auto& r = rules_->rule_of(x);
  const auto& a = *b.source;
  std::optional<double> value = a.constant;
  uint64_t count = 0;
  if (!value) {
    auto c = a.clause ? *a.clause : matched_clause(a, r);
    if (c >= x.clauses.size())
      return;
    auto range = x.clauses[c];
    std::vector<double> values;
    values.reserve(range.count);
    for (uint32_t k = range.first; k < range.first + range.count; ++k) {
      values.push_back(slots_[i][k].value);
      count += std::isnan(values.back()) ? 0 : 1;
    }
    value = derive(a.function, std::move(values));
  }
  if (!value)
    return; // no input known yet
  if (then_index >= 0) {
    auto& last = states_[i].derived[then_index];
    if (last == *value)
      return;
    last = *value;
  }
  out.aggregates.push_back(
    derived_value(r.id, x.anchor, x.whole_city, a, *value, count, now_));
}

} // namespace citytwin::rules
