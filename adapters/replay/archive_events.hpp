// adapters/replay/archive_events.hpp
#pragma once

// The pure part of an archive replay: archived streams named in twin
// terms, and their samples as time-ordered Protobuf ReadingBatch messages.

#include "adapters/archive/sample.hpp"
#include "adapters/replay/csv_events.hpp"
#include "adapters/replay/defaults.hpp"
#include "twin/reading.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::replay {

/// An archived stream that can be replayed: one quantity of one twin
/// entity.
struct replay_stream {
  archive::stream_name name;
  twin::entity_id id;
  twin::quantity what = twin::quantity::vehicle_flow;
};

/// The streams of an archive a replay publishes, and what it leaves out.
struct stream_selection {
  /// The city the entity URNs name (the first twin URN's; a tenant's
  /// archive holds one city).
  std::string city;
  std::vector<replay_stream> streams; ///< in `stream_name` order
  /// Streams that are no twin entity's (alerts, virtual sensors), of
  /// another city, or of a quantity the twin does not know.
  size_t num_foreign = 0;
  /// Streams of entity types not asked for.
  size_t num_filtered = 0;
};

/// Resolves `names` (sorted) to twin ids and quantities, keeping only the
/// entity kinds in `kinds` (empty: every kind).
stream_selection select_streams(std::span<const archive::stream_name> names,
                                std::span<const twin::entity_kind> kinds);

/// Appends the samples of `stream` to `out` as readings with their
/// original times.
void append_readings(const replay_stream& stream,
                     std::span<const archive::sample> samples,
                     twin::reading_batch& out);

/// Orders `readings` by time (ties keep their order, so a replay is
/// deterministic) and packs them into Protobuf ReadingBatch messages on
/// `topic` (twin/wire.hpp, with `city`): the readings of one recorded
/// second (`defaults::message_span_ms`) per message, at most
/// `max_per_message` of them. An event's time is its first reading's.
/// @pre `max_per_message > 0`
std::vector<event>
make_messages(twin::reading_batch& readings, const std::string& topic,
              std::string_view city,
              size_t max_per_message = defaults::max_readings_per_message);

} // namespace citytwin::replay
