// twin/audit_log.cpp
#include "twin/audit_log.hpp"

#include <algorithm>
#include <array>

namespace citytwin::twin {

namespace {

constexpr std::array<std::string_view, 11> names = {
  "actuation",          "actuation_refused", "alert_raised",
  "alert_acknowledged", "alert_cleared",     "rules_loaded",
  "rules_rejected",     "rule_disabled",     "advice_issued",
  "advice_withdrawn",   "outcome_reported",
};

} // namespace

std::string_view to_string(audit_kind x) {
  auto i = static_cast<size_t>(x) - 1;
  return i < names.size() ? names[i] : "unknown";
}

std::optional<audit_kind> parse_audit_kind(std::string_view name) {
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name)
      return static_cast<audit_kind>(i + 1);
  return std::nullopt;
}

void audit_log::append(audit_entry x) {
  x.seq = next_seq_++;
  entries_.push_back(std::move(x));
  if (entries_.size() > capacity_) {
    entries_.pop_front();
    ++num_dropped_;
  }
}

std::vector<audit_entry> audit_log::read(uint64_t after, size_t limit,
                                         std::optional<audit_kind> what) const {
  std::vector<audit_entry> result;
  auto i = std::upper_bound(entries_.begin(), entries_.end(), after,
                            [](uint64_t seq, const audit_entry& e) {
                              return seq < e.seq;
                            });
  for (; i != entries_.end() && result.size() < limit; ++i)
    if (!what || i->what == *what)
      result.push_back(*i);
  return result;
}

} // namespace citytwin::twin
