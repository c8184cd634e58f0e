// adapters/archive/temporal.cpp
#include "adapters/archive/temporal.hpp"

#include "adapters/archive/tenant_archive.hpp"
#include "twin/error.hpp"
#include "twin/iso_time.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::archive {

namespace {

caf::error bad(std::string what) {
  return caf::make_error(twin::errc::invalid_config, std::move(what));
}

} // namespace

std::string_view to_string(aggr_method m) {
  switch (m) {
    case aggr_method::avg:
      return "avg";
    case aggr_method::min:
      return "min";
    case aggr_method::max:
      return "max";
    case aggr_method::sum:
      return "sum";
    case aggr_method::total_count:
      return "totalCount";
  }
  return "avg";
}

std::optional<twin::time_ms> parse_iso_duration(std::string_view text) {
  // P[nD][T[nH][nM][n[.f]S]], each part at most once, in that order.
  if (text.size() < 3 || text.size() > 40 || text[0] != 'P')
    return std::nullopt;
  size_t i = 1;
  bool in_time = false;
  int last_rank = -1; // D=0, H=1, M=2, S=3
  double total_ms = 0;
  bool any = false;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time)
        return std::nullopt;
      in_time = true;
      ++i;
      if (i == text.size())
        return std::nullopt;
      continue;
    }
    size_t start = i;
    bool dot = false;
    while (i < text.size()
           && ((text[i] >= '0' && text[i] <= '9') || (text[i] == '.' && !dot))) {
      dot = dot || text[i] == '.';
      ++i;
    }
    if (i == start || i == text.size() || i - start > 15)
      return std::nullopt;
    double n = std::stod(std::string{text.substr(start, i - start)});
    char unit = text[i++];
    int rank;
    double unit_ms;
    if (!in_time && unit == 'D') {
      rank = 0;
      unit_ms = 86'400'000;
    } else if (in_time && unit == 'H') {
      rank = 1;
      unit_ms = 3'600'000;
    } else if (in_time && unit == 'M') {
      rank = 2;
      unit_ms = 60'000;
    } else if (in_time && unit == 'S') {
      rank = 3;
      unit_ms = 1'000;
    } else {
      return std::nullopt; // years, months, weeks, or a misplaced unit
    }
    if (rank <= last_rank || (dot && rank != 3))
      return std::nullopt;
    last_rank = rank;
    total_ms += n * unit_ms;
    any = true;
  }
  if (!any || !(total_ms >= 1) || total_ms > 1e15)
    return std::nullopt;
  return static_cast<twin::time_ms>(std::llround(total_ms));
}

caf::expected<temporal_query> parse_temporal_query(const temporal_params& p) {
  temporal_query q;
  auto time_of = [](const std::string* text, const char* name)
    -> caf::expected<twin::time_ms> {
    if (text == nullptr)
      return bad(std::string{name} + " is required with this timerel");
    auto t = twin::parse_iso_time(*text);
    if (!t)
      return bad(std::string{name} + " '" + text->substr(0, 40)
                 + "' is not an ISO 8601 date-time");
    return *t;
  };
  if (p.timerel != nullptr) {
    const auto& rel = *p.timerel;
    auto at = time_of(p.time_at, "timeAt");
    if (!at)
      return at.error();
    if (rel == "before") {
      q.to = *at;
    } else if (rel == "after") {
      q.from = *at + 1;
    } else if (rel == "between") {
      auto end = time_of(p.end_time_at, "endTimeAt");
      if (!end)
        return end.error();
      if (*end <= *at)
        return bad("endTimeAt must be after timeAt (the range is inverted "
                   "or empty)");
      q.from = *at;
      q.to = *end;
    } else {
      return bad("timerel must be before, after or between");
    }
  } else if (p.time_at != nullptr || p.end_time_at != nullptr) {
    return bad("timeAt and endTimeAt need timerel");
  }
  if (p.last_n != nullptr) {
    const auto& text = *p.last_n;
    size_t n = 0;
    bool digits = !text.empty() && text.size() <= 7
                  && std::all_of(text.begin(), text.end(),
                                 [](char c) { return c >= '0' && c <= '9'; });
    if (digits)
      n = std::stoul(text);
    if (!digits || n == 0 || n > temporal_limits::max_samples)
      return bad("lastN must be 1.."
                 + std::to_string(temporal_limits::max_samples));
    q.last_n = n;
  }
  if (p.aggr_methods != nullptr) {
    std::string_view rest = *p.aggr_methods;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto name = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{}
                                             : rest.substr(comma + 1);
      std::optional<aggr_method> m;
      for (auto candidate : {aggr_method::avg, aggr_method::min,
                             aggr_method::max, aggr_method::sum,
                             aggr_method::total_count})
        if (to_string(candidate) == name)
          m = candidate;
      if (!m)
        return bad("aggrMethods: '" + std::string{name.substr(0, 40)}
                   + "' is not one of avg, min, max, sum, totalCount");
      if (std::find(q.methods.begin(), q.methods.end(), *m) == q.methods.end())
        q.methods.push_back(*m);
    }
    if (q.methods.empty())
      return bad("aggrMethods is empty");
    if (p.aggr_period == nullptr)
      return bad("aggrMethods needs aggrPeriodDuration");
    auto period = parse_iso_duration(*p.aggr_period);
    if (!period)
      return bad("aggrPeriodDuration '" + p.aggr_period->substr(0, 40)
                 + "' is not an ISO 8601 duration of days, hours, minutes "
                   "or seconds (e.g. PT15M)");
    if (*period < temporal_limits::min_period
        || *period > temporal_limits::max_period)
      return bad("aggrPeriodDuration must lie between 1 s and 366 days");
    q.period = *period;
    if (q.from != std::numeric_limits<twin::time_ms>::min()
        && q.to != std::numeric_limits<twin::time_ms>::max()
        && (q.to - q.from) / q.period
             >= static_cast<twin::time_ms>(temporal_limits::max_periods))
      return bad("the range holds more than "
                 + std::to_string(temporal_limits::max_periods)
                 + " periods: choose a longer aggrPeriodDuration");
  } else if (p.aggr_period != nullptr) {
    return bad("aggrPeriodDuration needs aggrMethods");
  }
  return q;
}

double aggr_bucket::value(aggr_method m) const {
  switch (m) {
    case aggr_method::avg:
      return count > 0 ? sum / static_cast<double>(count) : 0;
    case aggr_method::min:
      return min;
    case aggr_method::max:
      return max;
    case aggr_method::sum:
      return sum;
    case aggr_method::total_count:
      return static_cast<double>(count);
  }
  return 0;
}

std::vector<aggr_bucket> aggregate(std::span<const sample> samples,
                                   twin::time_ms origin,
                                   twin::time_ms period) {
  std::vector<aggr_bucket> result;
  if (period <= 0)
    return result;
  for (const auto& s : samples) {
    // Floor division, for times before the origin too.
    auto offset = s.time - origin;
    auto k = offset / period - (offset % period < 0 ? 1 : 0);
    auto start = origin + k * period;
    if (result.empty() || result.back().start != start) {
      result.push_back({start, start + period, 0, 0, s.value, s.value});
    }
    auto& b = result.back();
    ++b.count;
    b.sum += s.value;
    b.min = std::min(b.min, s.value);
    b.max = std::max(b.max, s.value);
  }
  return result;
}

caf::expected<std::vector<sample>>
select(const tenant_archive& archive, const stream_name& name,
       const temporal_query& q) {
  if (q.last_n && q.methods.empty()) {
    auto xs = archive.read_last(name, *q.last_n, q.to);
    if (!xs)
      return xs.error();
    auto first = std::lower_bound(
      xs->begin(), xs->end(), q.from,
      [](const sample& s, twin::time_ms t) { return s.time < t; });
    xs->erase(xs->begin(), first);
    return xs;
  }
  auto xs = archive.read(name, q.from, q.to);
  if (!xs)
    return xs.error();
  // Aggregates may read more than they answer, but not without bound.
  if (xs->size() > (q.methods.empty() ? temporal_limits::max_samples
                                      : 50 * temporal_limits::max_samples))
    return bad("more than " + std::to_string(temporal_limits::max_samples)
               + " instances of '" + name.quantity
               + "' in the range: narrow it, or ask for lastN or "
                 "aggrMethods");
  return xs;
}

} // namespace citytwin::archive
