// twin/rules/aggregator.cpp
#include "twin/rules/aggregator.hpp"

#include "twin/rules/derived.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace citytwin::rules {

namespace {

constexpr double metres_per_degree = 111'320.0;
constexpr double pi = 3.14159265358979323846;

// Positions are kept by entity number unless the numbers of a kind run
// past this many per entity (an imported city's sparse numbers).
constexpr size_t max_number_per_entity = 4;

} // namespace

std::string_view to_string(aggregate_fn x) {
  switch (x) {
    case aggregate_fn::avg:
      return "avg";
    case aggregate_fn::min:
      return "min";
    case aggregate_fn::max:
      return "max";
    case aggregate_fn::sum:
      return "sum";
    case aggregate_fn::count:
      return "count";
    case aggregate_fn::p95:
      return "p95";
  }
  return "avg";
}

std::string_view to_string(grouping x) {
  switch (x) {
    case grouping::none:
      return "none";
    case grouping::kind:
      return "kind";
    case grouping::district:
      return "district";
  }
  return "none";
}

aggregator::set_key aggregator::key_of(const aggregate& x) {
  set_key result;
  result.attribute = x.attribute;
  result.named = !x.entities.empty();
  for (auto k : x.kinds)
    result.members.push_back(twin::index_of(k));
  for (auto id : x.entities)
    result.members.push_back(twin::pack(id));
  // A member set: listed twice or in another order, the same inputs.
  std::sort(result.members.begin(), result.members.end());
  result.members.erase(
    std::unique(result.members.begin(), result.members.end()),
    result.members.end());
  result.group = x.group;
  if (x.group == grouping::district)
    result.district_m = x.district_m;
  result.every_ms = x.every_ms;
  return result;
}

aggregator::aggregator(std::shared_ptr<const std::vector<aggregate>> aggregates,
                       std::shared_ptr<const city_index> city,
                       std::function<bool(size_t)> mine)
  : aggregates_(std::move(aggregates)), city_(std::move(city)) {
  const auto& all = *aggregates_;
  schedules_.resize(all.size());
  // Pane sets by their inputs, over all aggregates (in the order of their
  // first one), so that every partition forms the same sets.
  std::vector<pane_set> candidates;
  std::map<set_key, uint32_t> index;
  for (uint32_t a = 0; a < all.size(); ++a) {
    auto key = key_of(all[a]);
    auto i = index.find(key);
    if (i == index.end()) {
      i = index.emplace(key, uint32_t(candidates.size())).first;
      candidates.emplace_back().key = std::move(key);
    }
    candidates[i->second].aggregates.push_back(a);
  }
  for (auto& candidate : candidates) {
    if (mine && !mine(candidate.aggregates.front()))
      continue;
    sets_.push_back(std::move(candidate));
    wire(static_cast<uint32_t>(sets_.size() - 1));
  }
  value_.resize(readers_.size());
  read_at_.resize(readers_.size());
  place();
}

void aggregator::wire(uint32_t s) {
  auto& set = sets_[s];
  set.reader.fill(none);
  set.by_kind.fill(none);
  for (auto a : set.aggregates) {
    schedules_[a].set = s;
    set.samples |= (*aggregates_)[a].fn == aggregate_fn::p95;
  }
  std::vector<twin::entity_kind> kinds;
  for (auto m : set.key.members) {
    if (set.key.named) {
      by_entity_[m].push_back(s);
      kinds.push_back(twin::unpack(m).kind);
    } else {
      by_kind_[m].push_back(s);
      kinds.push_back(twin::all_entity_kinds[m]);
    }
  }
  for (auto k : kinds) {
    auto& r = set.reader[twin::index_of(k)];
    if (r != none)
      continue;
    auto reader = attribute_reader::resolve(k, set.key.attribute);
    if (!reader)
      continue; // the file's reader checked the names
    // Sets (and kinds) reading the same attribute share its reader.
    auto i = std::find(readers_.begin(), readers_.end(), *reader);
    r = static_cast<uint32_t>(i - readers_.begin());
    if (i == readers_.end())
      readers_.push_back(*reader);
    kinds_read_ |= uint32_t{1} << static_cast<int>(k);
    if (set.key.group == grouping::district)
      placed_[twin::index_of(k)] = true;
  }
}

void aggregator::place() {
  // One pass over the city for the positions districts need.
  const auto& c = city_->city();
  auto origin = c.center;
  auto lon_m = metres_per_degree * std::cos(origin.lat * pi / 180.0);
  for (auto k : twin::all_entity_kinds) {
    if (!placed_[twin::index_of(k)])
      continue;
    auto ids = city_->all(k); // by number
    // Indexed by number unless that would waste more than it holds.
    auto dense = ids.empty()
                 || ids.back().number <= max_number_per_entity * ids.size();
    auto& by_number = plane_[twin::index_of(k)];
    if (dense)
      by_number.assign(ids.empty() ? 0 : ids.back().number + size_t{1},
                       {std::nan(""), std::nan("")});
    for (auto id : ids) {
      auto p = city_->position(id);
      if (!p)
        continue;
      point xy{(p->lon - origin.lon) * lon_m,
               (p->lat - origin.lat) * metres_per_degree};
      if (dense)
        by_number[id.number] = xy;
      else
        sparse_plane_.emplace(twin::pack(id), xy);
    }
  }
}

const aggregator::point* aggregator::on_plane(twin::entity_id id) const {
  const auto& by_number = plane_[twin::index_of(id.kind)];
  if (id.number < by_number.size()) {
    const auto& xy = by_number[id.number];
    return std::isnan(xy.first) ? nullptr : &xy;
  }
  if (sparse_plane_.empty())
    return nullptr;
  auto i = sparse_plane_.find(twin::pack(id));
  return i == sparse_plane_.end() ? nullptr : &i->second;
}

uint32_t& aggregator::slot(pane_set& s, uint64_t key) {
  // Without districts the key is 0 or a kind's index: a direct slot.
  if (s.key.group != grouping::district)
    return s.by_kind[key];
  return s.by_cell.try_emplace(key, none).first->second;
}

uint32_t aggregator::make_group(uint32_t s, uint64_t key, std::string name) {
  auto g = static_cast<uint32_t>(groups_.size());
  groups_.push_back({s, std::move(name), {}, 0, key});
  // A set's first group starts its aggregates' schedules (together: they
  // see the same groups); later ones change no schedule.
  starting_ |= sets_[s].groups.empty();
  sets_[s].groups.push_back(g);
  return g;
}

void aggregator::adopt(aggregator& previous) {
  std::map<set_key, uint32_t> here;
  for (uint32_t s = 0; s < sets_.size(); ++s)
    here.emplace(sets_[s].key, s);
  for (auto& old : previous.groups_) {
    const auto& before = previous.sets_[old.set];
    auto i = here.find(before.key);
    if (i == here.end())
      continue;
    // Panes are `every` long and groups keyed by kind or cell: they carry
    // over while the inputs stay.
    auto& set = sets_[i->second];
    auto& g = slot(set, old.key);
    if (g != none)
      continue;
    g = make_group(i->second, old.key, std::move(old.name));
    auto& grp = groups_[g];
    grp.panes = std::move(old.panes);
    grp.num_samples = old.num_samples;
    if (set.samples == before.samples)
      continue;
    // A p95 added (or the last removed): the panes' samples start now.
    for (auto& p : grp.panes) {
      p.unsampled = set.samples ? p.count : 0;
      p.samples = {};
    }
    grp.num_samples = 0;
  }
  // An aggregate that keeps its id and inputs keeps its windows.
  std::unordered_map<std::string_view, uint32_t> before;
  const auto& previous_all = *previous.aggregates_;
  for (uint32_t a = 0; a < previous_all.size(); ++a)
    if (previous.schedules_[a].set != none)
      before.emplace(previous_all[a].id, a);
  const auto& all = *aggregates_;
  for (uint32_t a = 0; a < all.size(); ++a) {
    auto& sched = schedules_[a];
    if (sched.set == none)
      continue;
    auto i = before.find(all[a].id);
    if (i == before.end())
      continue;
    const auto& old = previous.schedules_[i->second];
    if (previous.sets_[old.set].key == sets_[sched.set].key)
      sched.next_end = old.next_end;
  }
  starting_ = true;
}

void aggregator::add(group& g, const pane_set& s, twin::time_ms t, double v) {
  auto every = s.key.every_ms;
  auto start = t / every * every;
  auto p = g.panes.end();
  if (g.panes.empty() || g.panes.back().start < start) {
    g.panes.push_back({start, 0, 0, v, v, {}});
    p = g.panes.end() - 1;
  } else {
    // A late sample (another entity's older reading): its pane, if kept.
    for (auto i = g.panes.rbegin(); i != g.panes.rend(); ++i)
      if (i->start <= start) {
        if (i->start == start)
          p = std::prev(i.base());
        else
          p = g.panes.insert(i.base(), pane{start, 0, 0, v, v, {}});
        break;
      }
    if (p == g.panes.end()) {
      ++num_dropped_; // older than every pane still kept
      return;
    }
  }
  ++p->count;
  p->sum += v;
  p->min = std::min(p->min, v);
  p->max = std::max(p->max, v);
  if (!s.samples)
    return;
  if (g.num_samples >= max_group_samples) {
    ++num_dropped_;
    return;
  }
  p->samples.push_back(v);
  ++g.num_samples;
}

void aggregator::sample(uint32_t s, twin::entity_id id, twin::time_ms t,
                        double v, const std::pair<double, double>* where) {
  auto& set = sets_[s];
  uint64_t key = 0;
  int64_t x = 0;
  int64_t y = 0;
  switch (set.key.group) {
    case grouping::none:
      break;
    case grouping::kind:
      key = twin::index_of(id.kind);
      break;
    case grouping::district:
      if (where == nullptr)
        return; // no position: in no district
      x = static_cast<int64_t>(std::floor(where->first / set.key.district_m));
      y = static_cast<int64_t>(std::floor(where->second / set.key.district_m));
      key = (static_cast<uint64_t>(x) << 32) ^ static_cast<uint32_t>(y);
      break;
  }
  auto& g = slot(set, key);
  if (g == none) {
    // Named once, when the group appears, not per sample.
    std::string name = "all";
    if (set.key.group == grouping::kind)
      name = std::string{twin::to_string(id.kind)};
    else if (set.key.group == grouping::district)
      name = "e" + std::to_string(x) + "n" + std::to_string(y);
    g = make_group(s, key, std::move(name));
  }
  add(groups_[g], set, t, v);
}

void aggregator::observe(const twin::entity_state& state, uint32_t changed) {
  (void) changed; // every delta is a sample: the value at its time
  auto kind = twin::index_of(state.id.kind);
  const auto& over_kind = by_kind_[kind];
  const std::vector<uint32_t>* named = nullptr;
  if (!by_entity_.empty())
    if (auto i = by_entity_.find(twin::pack(state.id)); i != by_entity_.end())
      named = &i->second;
  if (over_kind.empty() && named == nullptr)
    return;
  // Found once per delta, not once per pane set: where the entity is and
  // the values of the attributes read (sets share readers).
  const std::pair<double, double>* where = nullptr;
  if (placed_[kind])
    where = on_plane(state.id);
  ++stamp_;
  auto take = [&](uint32_t s) {
    auto r = sets_[s].reader[kind];
    if (r == none)
      return;
    if (read_at_[r] != stamp_) {
      value_[r] = readers_[r].read(state);
      read_at_[r] = stamp_;
    }
    if (!std::isnan(value_[r]))
      sample(s, state.id, state.updated, value_[r], where);
  };
  for (auto s : over_kind)
    take(s);
  if (named != nullptr)
    for (auto s : *named)
      take(s);
}

void aggregator::close(uint32_t a, twin::time_ms end,
                       std::vector<aggregate_value>& out) {
  const auto& agg = (*aggregates_)[a];
  const auto& set = sets_[schedules_[a].set];
  auto start = end - agg.window_ms;
  std::vector<double> values;
  for (auto g : set.groups) {
    const auto& grp = groups_[g];
    uint64_t count = 0;
    double sum = 0;
    double lo = 0;
    double hi = 0;
    values.clear();
    // The set keeps panes for its longest window: read only this one's.
    for (const auto& p : grp.panes) {
      if (p.start < start)
        continue;
      if (p.start >= end)
        break;
      lo = count == 0 ? p.min : std::min(lo, p.min);
      hi = count == 0 ? p.max : std::max(hi, p.max);
      count += p.count;
      sum += p.sum;
      if (agg.fn != aggregate_fn::p95)
        continue;
      // A p95 counts the samples it could have kept, not older ones.
      count -= p.unsampled;
      values.insert(values.end(), p.samples.begin(), p.samples.end());
    }
    if (count == 0 && agg.fn != aggregate_fn::count)
      continue;
    aggregate_value x;
    x.aggregate = agg.id;
    x.group = grp.name;
    x.function = std::string{to_string(agg.fn)};
    x.attribute = agg.attribute;
    x.window_start = start;
    x.window_end = end;
    x.count = count;
    switch (agg.fn) {
      case aggregate_fn::avg:
        x.value = sum / double(count);
        break;
      case aggregate_fn::min:
        x.value = lo;
        break;
      case aggregate_fn::max:
        x.value = hi;
        break;
      case aggregate_fn::sum:
        x.value = sum;
        break;
      case aggregate_fn::count:
        x.value = double(count);
        break;
      case aggregate_fn::p95:
        x.value = values.empty() ? 0 : p95_of(values);
        break;
    }
    out.push_back(std::move(x));
  }
}

void aggregator::trim(pane_set& s) {
  // Each aggregate keeps the panes from the start of the last window it
  // closed (as when it kept its own), its p95s their samples too.
  auto keep_from = std::numeric_limits<twin::time_ms>::max();
  auto samples_from = keep_from;
  for (auto a : s.aggregates) {
    const auto& sched = schedules_[a];
    if (sched.next_end == 0)
      return; // not started: every pane may still be read
    const auto& agg = (*aggregates_)[a];
    auto from = sched.next_end - agg.every_ms - agg.window_ms;
    keep_from = std::min(keep_from, from);
    if (agg.fn == aggregate_fn::p95)
      samples_from = std::min(samples_from, from);
  }
  for (auto g : s.groups) {
    auto& grp = groups_[g];
    while (!grp.panes.empty() && grp.panes.front().start < keep_from) {
      grp.num_samples -= grp.panes.front().samples.size();
      grp.panes.pop_front();
    }
    for (auto& p : grp.panes) {
      if (!s.samples || p.start >= samples_from)
        break;
      grp.num_samples -= p.samples.size();
      p.samples = {};
      p.unsampled = p.count;
    }
  }
}

void aggregator::evaluate(twin::time_ms now, std::vector<aggregate_value>& out) {
  // No window closes before the earliest end, unless a schedule starts.
  if (!starting_ && now < next_due_)
    return;
  starting_ = false;
  next_due_ = std::numeric_limits<twin::time_ms>::max();
  const auto& all = *aggregates_;
  // By aggregate, as each aggregate's values come in order.
  for (uint32_t a = 0; a < all.size(); ++a) {
    auto& sched = schedules_[a];
    const auto& agg = all[a];
    if (sched.set == none || sets_[sched.set].groups.empty()
        || agg.every_ms <= 0)
      continue;
    if (sched.next_end == 0) {
      // Windows align to multiples of `every`, from the first sample (a
      // batch may bring several minutes of readings at once).
      auto base = now;
      for (auto g : sets_[sched.set].groups)
        if (!groups_[g].panes.empty())
          base = std::min(base, groups_[g].panes.front().start);
      sched.next_end = (base / agg.every_ms + 1) * agg.every_ms;
    }
    // Late by many windows (a quiet feed): the latest window only.
    if (now - sched.next_end >= agg.every_ms)
      sched.next_end += (now - sched.next_end) / agg.every_ms * agg.every_ms;
    for (; now >= sched.next_end; sched.next_end += agg.every_ms) {
      close(a, sched.next_end, out);
      sets_[sched.set].closed = true;
    }
    next_due_ = std::min(next_due_, sched.next_end);
  }
  for (auto& s : sets_)
    if (std::exchange(s.closed, false))
      trim(s);
}

} // namespace citytwin::rules
