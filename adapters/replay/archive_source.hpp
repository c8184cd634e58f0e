// adapters/replay/archive_source.hpp
#pragma once

#include "adapters/archive/segment_set.hpp"
#include "adapters/replay/archive_events.hpp"
#include "adapters/replay/csv_events.hpp"

#include <caf/expected.hpp>

#include <memory>
#include <string>
#include <vector>

namespace citytwin::replay {

/// What to replay from an archive, as given on the command line.
struct archive_request {
  std::string root;               ///< the archive folder (`serve --archive`)
  std::string tenant;             ///< the source: `<root>/<tenant>/segments`
  std::string into;               ///< the tenant whose topics get the readings
  std::string from;               ///< ISO 8601, inclusive
  std::string to;                 ///< ISO 8601, exclusive
  std::vector<std::string> types; ///< NGSI-LD entity types; empty: all
};

/// What an archive replay has read so far.
struct archive_totals {
  size_t readings = 0;
  size_t messages = 0;
  size_t windows = 0; ///< windows that held samples
};

/// A tenant's archived interval [from, to), read window by window
/// (`defaults::archive_window_ms`, halved while a window holds more than
/// `defaults::max_window_readings`) and turned into the ReadingBatch
/// messages of `archive_events`, on `city/<into>/archive/replay`. Opens
/// the segments read-only, so it may read a running server's archive;
/// samples still only in that server's journal (the last few minutes, not
/// yet in a segment) are not read.
class archive_source {
public:
  /// Checks `req` and opens the tenant's segments. errc::invalid_config
  /// for a request that must not run: no `into`, `into` naming the source
  /// tenant or its city (the live twin's topics), times that are not ISO
  /// 8601 or an empty interval, an unknown entity type, a tenant without
  /// archive (the message lists those in `root`), no stream to replay.
  static caf::expected<archive_source> open(const archive_request& req);

  /// The messages of the next window holding samples, in time order; an
  /// empty vector once the interval is done.
  caf::expected<std::vector<event>> next();

  const stream_selection& selection() const {
    return selection_;
  }

  const std::string& topic() const {
    return topic_;
  }

  const archive_totals& totals() const {
    return totals_;
  }

private:
  archive_source() = default;

  std::shared_ptr<archive::segment_set> segments_;
  stream_selection selection_;
  std::string topic_;
  twin::time_ms next_ = 0; ///< start of the next window
  twin::time_ms to_ = 0;
  twin::time_ms window_ = defaults::archive_window_ms;
  archive_totals totals_;
};

} // namespace citytwin::replay
