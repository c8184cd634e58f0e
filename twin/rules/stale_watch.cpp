// twin/rules/stale_watch.cpp
#include "twin/rules/stale_watch.hpp"

#include "twin/civil_time.hpp"
#include "twin/entity_kind.hpp"
#include "twin/rules/duration.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace citytwin::rules {

namespace {

// Weight of the newest gap in the usual interval: a sensor that changes
// its rate is followed within a few reports, one late report moves it
// little.
constexpr double interval_weight = 0.2;

using entry = std::pair<twin::time_ms, uint64_t>;
constexpr auto later = std::greater<entry>{};

} // namespace

stale_watch::stale_watch(stale_watch_config config,
                         std::function<bool(twin::entity_id)> mine)
    : config_(std::move(config)), mine_(std::move(mine)) {
  if (config_.enabled)
    for (auto k : config_.kinds)
      kinds_read_ |= uint32_t{1} << static_cast<int>(k);
}

bool stale_watch::watched(twin::entity_id id) const {
  return (kinds_read_ & (uint32_t{1} << static_cast<int>(id.kind))) != 0
         && (!mine_ || mine_(id));
}

twin::time_ms stale_watch::deadline(const record& r) const {
  auto silence = static_cast<twin::time_ms>(
    std::ceil(config_.factor * r.interval_ms));
  return r.last + std::max(silence, config_.at_least_ms);
}

void stale_watch::schedule(uint64_t key, record& r) {
  if (r.scheduled || r.stale || r.suspect || r.intervals < config_.learn)
    return;
  r.scheduled = true;
  deadlines_.emplace_back(deadline(r), key);
  std::push_heap(deadlines_.begin(), deadlines_.end(), later);
}

alert_change stale_watch::change(twin::entity_id id, const record& r,
                                 twin::time_ms now, bool raised) const {
  alert_change result;
  result.rule = std::string{stale_watch_name};
  result.anchor = id;
  result.kind = "stale_sensor";
  result.level = severity::warning;
  result.time = now;
  result.raised = raised;
  auto usual = static_cast<twin::time_ms>(std::llround(r.interval_ms));
  if (raised) {
    result.text = "no data for " + format_duration(now - r.last);
    result.why = "last reading at " + twin::format_iso_time(r.last)
                 + "; usual interval " + format_duration(usual)
                 + " (learned over " + std::to_string(r.intervals)
                 + " reports), stale after "
                 + format_duration(deadline(r) - r.last);
  } else {
    result.text = "reports again";
    result.why = "reading at " + twin::format_iso_time(r.last);
  }
  return result;
}

void stale_watch::observe(const twin::entity_state& state,
                          std::vector<alert_change>& out) {
  if (!watched(state.id))
    return;
  auto key = twin::pack(state.id);
  auto& r = records_[key];
  // Commands and repeated deltas carry no newer reading.
  if (state.updated <= r.last)
    return;
  bool first = r.last == std::numeric_limits<twin::time_ms>::min();
  if (!first && !r.stale) {
    auto gap = static_cast<double>(state.updated - r.last);
    r.interval_ms = r.intervals == 0
                      ? gap
                      : r.interval_ms + interval_weight * (gap - r.interval_ms);
    ++r.intervals;
  }
  r.last = state.updated;
  if (r.stale) {
    r.stale = false;
    out.push_back(change(state.id, r, state.updated, false));
  }
  schedule(key, r);
}

void stale_watch::evaluate(twin::time_ms now,
                           std::vector<twin::entity_id>& suspects) {
  while (!deadlines_.empty() && deadlines_.front().first < now) {
    std::pop_heap(deadlines_.begin(), deadlines_.end(), later);
    auto key = deadlines_.back().second;
    deadlines_.pop_back();
    auto i = records_.find(key);
    if (i == records_.end())
      continue;
    auto& r = i->second;
    r.scheduled = false;
    if (deadline(r) >= now) {
      schedule(key, r); // it reported since the entry was made
      continue;
    }
    r.suspect = true;
    suspects.push_back(twin::unpack(key));
  }
}

void stale_watch::checked(const twin::entity_state& state, twin::time_ms now,
                          std::vector<alert_change>& out) {
  auto i = records_.find(twin::pack(state.id));
  if (i == records_.end() || !i->second.suspect)
    return;
  auto& r = i->second;
  r.suspect = false;
  if (state.updated > r.last) {
    // Alive, repeating values the deltas did not show.
    r.last = state.updated;
  } else if (deadline(r) < now) {
    r.stale = true;
    out.push_back(change(state.id, r, now, true));
    return;
  }
  schedule(i->first, r);
}

void stale_watch::forget(twin::entity_id id) {
  records_.erase(twin::pack(id));
}

void stale_watch::adopt(stale_watch& previous, twin::time_ms now,
                        std::vector<alert_change>& out) {
  for (auto& [key, old] : previous.records_) {
    auto id = twin::unpack(key);
    if (!watched(id)) {
      if (old.stale) {
        auto cleared = change(id, old, now, false);
        cleared.text = "no longer watched";
        cleared.why = "the rule file no longer watches this entity";
        out.push_back(std::move(cleared));
      }
      continue;
    }
    auto& r = records_[key];
    r = old;
    r.scheduled = false;
    r.suspect = false;
    schedule(key, r);
  }
}

size_t stale_watch::num_stale() const {
  return static_cast<size_t>(
    std::count_if(records_.begin(), records_.end(),
                  [](const auto& kv) { return kv.second.stale; }));
}

} // namespace citytwin::rules
