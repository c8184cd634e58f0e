// twin/rules/aggregator.cpp
#include "twin/rules/aggregator.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace citytwin::rules {

namespace {

constexpr double metres_per_degree = 111'320.0;
constexpr double pi = 3.14159265358979323846;

// p95 by nearest rank: the smallest value with at least 95% at or below.
double p95_of(std::vector<double>& values) {
  auto rank = static_cast<size_t>(std::ceil(0.95 * double(values.size())));
  auto k = rank == 0 ? 0 : rank - 1;
  std::nth_element(values.begin(), values.begin() + long(k), values.end());
  return values[k];
}

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

aggregator::aggregator(std::shared_ptr<const std::vector<aggregate>> aggregates,
                       std::shared_ptr<const city_index> city,
                       std::function<bool(size_t)> mine)
  : aggregates_(std::move(aggregates)), city_(std::move(city)) {
  const auto& all = *aggregates_;
  schedules_.resize(all.size());
  std::array<bool, twin::num_entity_kinds> placed{}; // kinds needing plane
  // One reader per (kind, attribute), shared by the aggregates reading it.
  std::map<std::pair<twin::entity_kind, std::string>, uint32_t> shared_reader;
  for (uint32_t a = 0; a < all.size(); ++a) {
    if (mine && !mine(a))
      continue;
    schedules_[a].mine = true;
    const auto& agg = all[a];
    auto kinds = agg.kinds;
    for (auto id : agg.entities) {
      by_entity_[twin::pack(id)].push_back(a);
      kinds.push_back(id.kind);
    }
    for (auto k : agg.kinds)
      by_kind_[twin::index_of(k)].push_back(a);
    for (auto k : kinds) {
      auto key = uint64_t{a} * twin::num_entity_kinds + twin::index_of(k);
      if (reader_of_.count(key))
        continue;
      auto shared = shared_reader.find({k, agg.attribute});
      if (shared == shared_reader.end()) {
        auto reader = attribute_reader::resolve(k, agg.attribute);
        if (!reader)
          continue; // the file's reader checked the names
        shared = shared_reader
                   .emplace(std::pair{k, agg.attribute},
                            uint32_t(readers_.size()))
                   .first;
        readers_.push_back(*reader);
      }
      reader_of_.emplace(key, shared->second);
      kinds_read_ |= uint32_t{1} << static_cast<int>(k);
      if (agg.group == grouping::district)
        placed[twin::index_of(k)] = true;
    }
  }
  // One pass over the city for the positions districts need.
  const auto& c = city_->city();
  auto origin = c.center;
  auto lon_m = metres_per_degree * std::cos(origin.lat * pi / 180.0);
  auto place = [&](twin::entity_id id) {
    if (!placed[twin::index_of(id.kind)])
      return;
    if (auto p = city_->position(id))
      plane_[twin::pack(id)] = {(p->lon - origin.lon) * lon_m,
                                (p->lat - origin.lat) * metres_per_degree};
  };
  for (auto k : twin::all_entity_kinds)
    if (placed[twin::index_of(k)])
      for (auto id : city_->all(k))
        place(id);
}

std::optional<uint32_t>
aggregator::group_for(uint32_t a, twin::entity_id id,
                      const std::pair<double, double>* where) {
  const auto& agg = (*aggregates_)[a];
  auto& sched = schedules_[a];
  uint64_t key = 0;
  std::string name = "all";
  switch (agg.group) {
    case grouping::none:
      break;
    case grouping::kind:
      key = static_cast<uint64_t>(id.kind);
      break;
    case grouping::district: {
      if (where == nullptr)
        return std::nullopt;
      auto x = static_cast<int64_t>(std::floor(where->first / agg.district_m));
      auto y = static_cast<int64_t>(std::floor(where->second / agg.district_m));
      key = (static_cast<uint64_t>(x) << 32) ^ static_cast<uint32_t>(y);
      auto found = sched.group_of.find(key);
      if (found != sched.group_of.end())
        return found->second;
      name = "e" + std::to_string(x) + "n" + std::to_string(y);
      break;
    }
  }
  auto found = sched.group_of.find(key);
  if (found != sched.group_of.end())
    return found->second;
  if (agg.group == grouping::kind)
    name = std::string{twin::to_string(id.kind)};
  auto g = static_cast<uint32_t>(groups_.size());
  groups_.push_back({a, std::move(name), {}, 0, key});
  sched.group_of.emplace(key, g);
  sched.groups.push_back(g);
  return g;
}

void aggregator::adopt(aggregator& previous) {
  std::map<std::string, uint32_t> mine; // id -> aggregate of this partition
  for (uint32_t a = 0; a < aggregates_->size(); ++a)
    if (schedules_[a].mine)
      mine.emplace((*aggregates_)[a].id, a);
  for (auto& old : previous.groups_) {
    const auto& before = (*previous.aggregates_)[old.aggregate];
    auto i = mine.find(before.id);
    if (i == mine.end())
      continue;
    auto a = i->second;
    const auto& now = (*aggregates_)[a];
    // Panes are `every` long and groups keyed by kind or cell: they carry
    // over while those stay.
    if (now.every_ms != before.every_ms || now.group != before.group
        || now.district_m != before.district_m)
      continue;
    auto& sched = schedules_[a];
    if (sched.group_of.count(old.key))
      continue;
    auto g = static_cast<uint32_t>(groups_.size());
    groups_.push_back({a, old.name, std::move(old.panes), old.num_samples,
                       old.key});
    sched.group_of.emplace(old.key, g);
    sched.groups.push_back(g);
    sched.next_end = previous.schedules_[old.aggregate].next_end;
  }
}

void aggregator::add(group& g, const aggregate& agg, twin::time_ms t,
                     double v) {
  auto start = t / agg.every_ms * agg.every_ms;
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
  if (agg.fn == aggregate_fn::p95) {
    if (g.num_samples >= max_group_samples) {
      ++num_dropped_;
      return;
    }
    p->samples.push_back(v);
    ++g.num_samples;
  }
}

void aggregator::observe(const twin::entity_state& state, uint32_t changed) {
  (void) changed; // every delta is a sample: the value at its time
  // Found once per delta, not once per aggregate: where the entity is and
  // the values of the attributes read (aggregates share readers).
  const std::pair<double, double>* where = nullptr;
  if (!plane_.empty())
    if (auto p = plane_.find(twin::pack(state.id)); p != plane_.end())
      where = &p->second;
  values_.clear();
  auto sample = [&](uint32_t a) {
    auto r = reader_of_.find(uint64_t{a} * twin::num_entity_kinds
                             + twin::index_of(state.id.kind));
    if (r == reader_of_.end())
      return;
    double v = 0;
    auto cached = std::find_if(values_.begin(), values_.end(),
                               [&](const auto& x) { return x.first == r->second; });
    if (cached != values_.end()) {
      v = cached->second;
    } else {
      v = readers_[r->second].read(state);
      values_.emplace_back(r->second, v);
    }
    if (std::isnan(v))
      return;
    if (auto g = group_for(a, state.id, where))
      add(groups_[*g], (*aggregates_)[a], state.updated, v);
  };
  for (auto a : by_kind_[twin::index_of(state.id.kind)])
    sample(a);
  if (!by_entity_.empty())
    if (auto i = by_entity_.find(twin::pack(state.id)); i != by_entity_.end())
      for (auto a : i->second)
        sample(a);
}

void aggregator::evaluate(twin::time_ms now, std::vector<aggregate_value>& out) {
  const auto& all = *aggregates_;
  std::vector<double> values;
  for (uint32_t a = 0; a < all.size(); ++a) {
    auto& sched = schedules_[a];
    const auto& agg = all[a];
    if (sched.groups.empty() || agg.every_ms <= 0)
      continue;
    if (sched.next_end == 0) {
      // Windows align to multiples of `every`, from the first sample (a
      // batch may bring several minutes of readings at once).
      auto base = now;
      for (auto g : sched.groups)
        if (!groups_[g].panes.empty())
          base = std::min(base, groups_[g].panes.front().start);
      sched.next_end = (base / agg.every_ms + 1) * agg.every_ms;
    }
    // Late by many windows (a quiet feed): the latest window only.
    if (now - sched.next_end >= agg.every_ms)
      sched.next_end += (now - sched.next_end) / agg.every_ms * agg.every_ms;
    while (now >= sched.next_end) {
      auto end = sched.next_end;
      auto start = end - agg.window_ms;
      for (auto g : sched.groups) {
        auto& grp = groups_[g];
        // Windows only move forward: panes before this one's start are
        // needed by none.
        while (!grp.panes.empty() && grp.panes.front().start < start) {
          grp.num_samples -= grp.panes.front().samples.size();
          grp.panes.pop_front();
        }
        uint64_t count = 0;
        double sum = 0, lo = 0, hi = 0;
        values.clear();
        for (const auto& p : grp.panes) {
          if (p.start >= end)
            break;
          lo = count == 0 ? p.min : std::min(lo, p.min);
          hi = count == 0 ? p.max : std::max(hi, p.max);
          count += p.count;
          sum += p.sum;
          if (agg.fn == aggregate_fn::p95)
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
      sched.next_end += agg.every_ms;
    }
  }
}

} // namespace citytwin::rules
