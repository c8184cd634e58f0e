// twin/rules/alert_book.cpp
#include "twin/rules/alert_book.hpp"

#include "twin/error.hpp"

#include <algorithm>

namespace citytwin::rules {

std::string_view to_string(alert_status x) {
  switch (x) {
    case alert_status::raised:
      return "raised";
    case alert_status::acknowledged:
      return "acknowledged";
    case alert_status::cleared:
      return "cleared";
    case alert_status::closed:
      return "closed";
  }
  return "raised";
}

alert* alert_book::open_for(const alert_change& change) {
  for (auto i = alerts_.rbegin(); i != alerts_.rend(); ++i)
    if (i->rule == change.rule && i->anchor == change.anchor
        && i->whole_city == change.whole_city && i->kind == change.kind
        && (i->status == alert_status::raised
            || i->status == alert_status::acknowledged))
      return &*i;
  return nullptr;
}

const alert* alert_book::apply(const alert_change& change) {
  auto* open = open_for(change);
  if (!change.raised) {
    if (open == nullptr)
      return nullptr;
    open->cleared_at = change.time;
    open->status = open->status == alert_status::acknowledged
                     ? alert_status::closed
                     : alert_status::cleared;
    return open;
  }
  if (open != nullptr) {
    ++open->times_raised;
    open->why = change.why;
    return open;
  }
  alert a;
  a.id = next_id_++;
  a.rule = change.rule;
  a.anchor = change.anchor;
  a.whole_city = change.whole_city;
  a.kind = change.kind;
  a.level = change.level;
  a.text = change.text;
  a.why = change.why;
  a.raised_at = change.time;
  a.audience = change.audience;
  alerts_.push_back(std::move(a));
  trim();
  return &alerts_.back();
}

alert* alert_book::find(uint64_t id) {
  auto i = std::lower_bound(alerts_.begin(), alerts_.end(), id,
                            [](const alert& a, uint64_t x) { return a.id < x; });
  return i == alerts_.end() || i->id != id ? nullptr : &*i;
}

caf::expected<alert> alert_book::report_outcome(uint64_t id,
                                                const std::string& by,
                                                const std::string& outcome,
                                                twin::time_ms when) {
  auto* i = find(id);
  if (i == nullptr)
    return caf::make_error(twin::errc::unknown_entity,
                           "no alert " + std::to_string(id));
  if (!i->outcome.empty())
    return caf::make_error(twin::errc::out_of_range,
                           "alert " + std::to_string(id)
                             + " has an outcome already: " + i->outcome);
  // Whoever reports how it went has seen it.
  if (i->acknowledged_by.empty()) {
    i->acknowledged_by = by;
    i->acknowledged_at = when;
  }
  if (i->cleared_at == 0)
    i->cleared_at = when;
  i->status = alert_status::closed;
  i->outcome = outcome;
  i->outcome_by = by;
  i->outcome_at = when;
  return *i;
}

caf::expected<alert> alert_book::acknowledge(uint64_t id, const std::string& by,
                                             twin::time_ms when) {
  auto* i = find(id);
  if (i == nullptr)
    return caf::make_error(twin::errc::unknown_entity,
                           "no alert " + std::to_string(id));
  switch (i->status) {
    case alert_status::raised:
      i->status = alert_status::acknowledged;
      break;
    case alert_status::cleared:
      i->status = alert_status::closed;
      break;
    case alert_status::acknowledged:
    case alert_status::closed:
      return caf::make_error(twin::errc::out_of_range,
                             "alert " + std::to_string(id) + " is already "
                               + std::string{to_string(i->status)});
  }
  i->acknowledged_by = by;
  i->acknowledged_at = when;
  return *i;
}

std::vector<alert> alert_book::list(size_t limit) const {
  std::vector<alert> result;
  for (auto i = alerts_.rbegin(); i != alerts_.rend() && result.size() < limit;
       ++i)
    if (i->status != alert_status::closed)
      result.push_back(*i);
  for (auto i = alerts_.rbegin(); i != alerts_.rend() && result.size() < limit;
       ++i)
    if (i->status == alert_status::closed)
      result.push_back(*i);
  return result;
}

size_t alert_book::num_open() const {
  return std::count_if(alerts_.begin(), alerts_.end(), [](const alert& a) {
    return a.status == alert_status::raised
           || a.status == alert_status::acknowledged;
  });
}

void alert_book::trim() {
  // Closed alerts go first, oldest first; open ones only if nothing else.
  while (alerts_.size() > max_kept_alerts) {
    auto closed = std::find_if(alerts_.begin(), alerts_.end(),
                               [](const alert& a) {
                                 return a.status == alert_status::closed;
                               });
    alerts_.erase(closed != alerts_.end() ? closed : alerts_.begin());
  }
}

} // namespace citytwin::rules
