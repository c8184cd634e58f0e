// actors/alerts.cpp
#include "actors/alerts.hpp"

#include "actors/type_ids.hpp"

namespace citytwin::actors {

namespace {

std::string subject(const std::string& city, twin::entity_id anchor,
                    bool whole_city) {
  return whole_city ? "city:" + city : twin::to_urn(anchor, city);
}

std::string advice_key(const rules::advice& x) {
  return x.rule + "#" + std::to_string(twin::pack(x.anchor)) + "#"
         + std::string{rules::to_string(x.what)};
}

} // namespace

void alerts_state::announce(const rules::alert& a) {
  for (const auto& l : listeners)
    caf::anon_send(l, a);
}

void alerts_state::record_person(twin::audit_kind what, const std::string& by,
                                 const rules::alert& a, twin::time_ms when,
                                 std::string why) {
  announce(a);
  if (audit)
    caf::anon_send(audit,
                   twin::audit_entry{0, when, what, by,
                                     "alert:" + std::to_string(a.id),
                                     a.kind + " on "
                                       + subject(city, a.anchor, a.whole_city),
                                     std::move(why)});
}

void alerts_state::take(rules::outputs& x) {
  auto record = [this](twin::audit_entry e) {
    if (audit)
      caf::anon_send(audit, std::move(e));
  };
  for (auto& f : x.firings) {
    ++num_firings;
    firings.push_back(std::move(f));
    if (firings.size() > max_kept_firings)
      firings.pop_front();
  }
  for (const auto& ch : x.alerts) {
    auto before = book.num_open();
    const auto* a = book.apply(ch);
    if (a == nullptr)
      continue;
    bool changed = ch.raised ? book.num_open() != before
                             : true; // a clear always changes the status
    if (!changed)
      continue;
    announce(*a);
    record({0, ch.time,
            ch.raised ? twin::audit_kind::alert_raised
                      : twin::audit_kind::alert_cleared,
            "rule:" + ch.rule, "alert:" + std::to_string(a->id),
            a->kind + " on " + subject(city, a->anchor, a->whole_city),
            ch.why});
  }
  for (auto& ad : x.advice) {
    auto key = advice_key(ad);
    record({0, ad.time,
            ad.issued ? twin::audit_kind::advice_issued
                      : twin::audit_kind::advice_withdrawn,
            "rule:" + ad.rule, subject(city, ad.anchor, ad.whole_city),
            std::string{rules::to_string(ad.what)} + " for " + ad.audience,
            ad.why});
    if (ad.issued)
      advice[key] = std::move(ad);
    else
      advice.erase(key);
  }
  if (!x.aggregates.empty()) {
    num_aggregate_values += x.aggregates.size();
    for (const auto& l : listeners)
      caf::anon_send(l, x.aggregates);
  }
  for (const auto& d : x.disabled) {
    record({0, d.time, twin::audit_kind::rule_disabled, "engine",
            "rule:" + d.rule, "disabled", d.why});
    // The rule runs in every partition; it stops in all of them.
    for (const auto& e : evaluators)
      caf::anon_send(e, rules_atom_v, d);
  }
}

alerts_report alerts_state::report(uint32_t limit) const {
  alerts_report result;
  result.alerts = book.list(limit);
  for (const auto& [key, ad] : advice)
    result.advice.push_back(ad);
  result.firings.assign(firings.begin(), firings.end());
  result.num_firings = num_firings;
  result.num_open = book.num_open();
  return result;
}

alerts_actor::behavior_type
alerts(alerts_actor::stateful_pointer<alerts_state> self, std::string city,
       audit_actor audit) {
  self->state.city = std::move(city);
  self->state.audit = std::move(audit);
  return {
    [self](rules::outputs& x) { self->state.take(x); },
    [self](caf::join_atom, rules_actor& x) {
      self->state.evaluators.push_back(std::move(x));
    },
    [self](caf::subscribe_atom, alert_listener_actor& x) {
      for (const auto& a : self->state.book.list(rules::max_kept_alerts))
        self->send(x, a);
      self->state.listeners.push_back(std::move(x));
    },
    [self](caf::get_atom, rules_atom, uint32_t limit) {
      return self->state.report(limit);
    },
    [self](ack_atom, uint64_t id, std::string& by,
           twin::time_ms when) -> caf::result<rules::alert> {
      auto result = self->state.book.acknowledge(id, by, when);
      if (!result)
        return result.error();
      self->state.record_person(twin::audit_kind::alert_acknowledged, by,
                                *result, when, "");
      return std::move(*result);
    },
    [self](outcome_atom, uint64_t id, std::string& by, std::string& outcome,
           twin::time_ms when) -> caf::result<rules::alert> {
      auto result = self->state.book.report_outcome(id, by, outcome, when);
      if (!result)
        return result.error();
      self->state.record_person(twin::audit_kind::outcome_reported, by,
                                *result, when, outcome);
      return std::move(*result);
    },
  };
}

} // namespace citytwin::actors
