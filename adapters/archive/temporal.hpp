// adapters/archive/temporal.hpp
#pragma once

#include "adapters/archive/sample.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::archive {

class tenant_archive;

/// NGSI-LD `aggrMethods` we serve.
enum class aggr_method { avg, min, max, sum, total_count };

/// The NGSI-LD name: `avg`, ..., `totalCount`.
std::string_view to_string(aggr_method m);

/// Bounds on what one temporal query may ask, so a request cannot make the
/// server build an answer of unbounded size.
struct temporal_limits {
  /// Raw samples per attribute in one answer (a day at 1 s fits).
  static constexpr size_t max_samples = 100'000;
  /// Aggregation periods per attribute in one answer.
  static constexpr size_t max_periods = 100'000;
  /// Shortest and longest aggregation period.
  static constexpr twin::time_ms min_period = 1'000;
  static constexpr twin::time_ms max_period = twin::time_ms{366} * 86'400'000;
};

/// What a temporal query asks of every attribute it reads.
struct temporal_query {
  twin::time_ms from = std::numeric_limits<twin::time_ms>::min(); ///< incl.
  twin::time_ms to = std::numeric_limits<twin::time_ms>::max();   ///< excl.
  std::optional<size_t> last_n;
  std::vector<aggr_method> methods; ///< empty: raw samples
  twin::time_ms period = 0;         ///< with methods
};

/// The query parameters as sent (null when absent).
struct temporal_params {
  const std::string* timerel = nullptr;
  const std::string* time_at = nullptr;
  const std::string* end_time_at = nullptr;
  const std::string* last_n = nullptr;
  const std::string* aggr_methods = nullptr;
  const std::string* aggr_period = nullptr;
};

/// Checks and reads the parameters: `timerel` before | after | between
/// with `timeAt` (and `endTimeAt` after it), `lastN` (1..max_samples),
/// `aggrMethods` with `aggrPeriodDuration` (ISO 8601, within the limits,
/// and at most max_periods of them over a bounded range). An error whose
/// text says what is wrong (for a 400).
caf::expected<temporal_query> parse_temporal_query(const temporal_params& p);

/// ISO 8601 durations of days, hours, minutes and seconds (`P1D`,
/// `PT15M`, `PT1H30M`, `PT0.5S`); years, months and weeks are refused,
/// their length varies. Milliseconds; nullopt unless positive.
std::optional<twin::time_ms> parse_iso_duration(std::string_view text);

/// One aggregation period's results.
struct aggr_bucket {
  twin::time_ms start = 0;
  twin::time_ms end = 0; ///< exclusive
  uint64_t count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;

  double value(aggr_method m) const;
};

/// Groups `samples` (time-ordered) into periods of `period` ms starting
/// at `origin`; periods without samples are left out.
std::vector<aggr_bucket> aggregate(std::span<const sample> samples,
                                   twin::time_ms origin, twin::time_ms period);

/// The samples of one stream that `q` selects (its range, then its last
/// N). errc::invalid_config when there are more than max_samples.
caf::expected<std::vector<sample>>
select(const tenant_archive& archive, const stream_name& name,
       const temporal_query& q);

} // namespace citytwin::archive
