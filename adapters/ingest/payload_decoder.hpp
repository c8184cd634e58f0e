// adapters/ingest/payload_decoder.hpp
#pragma once

#include "adapters/ingest/binding_table.hpp"
#include "adapters/ingest/defaults.hpp"
#include "adapters/ingest/entity_creator.hpp"
#include "adapters/ingest/ingest_counters.hpp"
#include "adapters/ingest/newest_times.hpp"
#include "adapters/ingest/reject_log.hpp"
#include "adapters/ingest/senml.hpp"
#include "twin/reading.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace citytwin::ingest {

/// What the decoder checks a payload against.
struct decoder_config {
  /// SenML names to entities; shared read-only, may be empty (then every
  /// SenML record is an unknown entity).
  std::shared_ptr<const binding_table> bindings;
  /// The twin's city: NGSI-LD URNs must name it.
  std::string city;
  /// The tenant level topics must carry (`city/<tenant>/...`).
  std::string tenant;
  std::string topic_root = defaults::topic_root;
  size_t max_payload_bytes = defaults::max_payload_bytes;
  twin::time_ms min_time_ms = defaults::min_time_ms;
  twin::time_ms max_ahead_ms = defaults::max_ahead_ms;
  /// What happens to ids no binding knows: rejected, or (policy `create`)
  /// bound to sensor entities created for them.
  creation_config create = {};
};

/// Turns wire payloads into readings, at the edge: format detection,
/// validation, binding, plausibility of times, duplicate and order checks
/// per entity and quantity. Every rejection is counted by reason and
/// logged (rate-limited); the valid readings of a payload are all kept.
/// Not thread-safe: one decoder per ingest thread.
///
/// Under the `create` policy an unknown id is bound to a new sensor entity
/// of the kind the topic names (`entity_creator`): for SenML the name's
/// device prefix (up to its last `:` or `/`; a name without one takes the
/// topic plus `/`), for NGSI-LD an id that is no twin URN of the city.
///
/// Formats, told apart by the first byte that is not blank: `[` or `{`
/// is JSON, an array of objects with `id` (or one object) NGSI-LD,
/// any other array SenML; anything else is a Protobuf ReadingBatch.
class payload_decoder {
public:
  payload_decoder(decoder_config config, ingest_counters& counters,
                  reject_log::sink log = {});

  /// Checks the topic, then decodes the payload. Accepted readings are
  /// appended to `out`; `now` is the receipt time (wall clock, ms).
  void decode(std::string_view topic, std::string_view payload,
              twin::time_ms now, twin::reading_batch& out);

  /// Decodes a payload without a topic (HTTP, files, tests).
  void decode(std::string_view payload, twin::time_ms now,
              twin::reading_batch& out);

private:
  void decode_json(std::string_view payload, twin::time_ms now,
                   twin::reading_batch& out);
  void decode_ngsi(const nlohmann::json& doc, twin::time_ms now,
                   twin::reading_batch& out);
  void decode_senml(const senml_pack& pack, twin::time_ms now,
                    twin::reading_batch& out);
  void decode_protobuf(std::string_view payload, twin::time_ms now,
                       twin::reading_batch& out);
  // Time window, finiteness and order; true if `x` went into `out`.
  bool accept(const twin::reading& x, twin::time_ms now,
              twin::reading_batch& out);
  // The binding of a SenML name no binding table knows, through the
  // creator; rejects (and returns nullopt) if there is none.
  std::optional<binding> bind_unknown(std::string_view name,
                                      twin::time_ms now);
  // Resolves through the creator, counting and logging a creation.
  resolution resolve_unknown(std::string_view external, twin::quantity what);
  void reject(rejection x, twin::time_ms now);
  void finish(size_t first, twin::time_ms now, const twin::reading_batch& out);

  decoder_config config_;
  ingest_counters& counters_;
  reject_log log_;
  reject_log::sink note_; // for the rare line that is not a rejection
  entity_creator creator_;
  binding_table::device_memo memo_;
  senml_parser senml_;
  // The topic of the payload being decoded, if it came with one.
  std::string_view topic_;
  std::string_view topic_kind_;
  // Newest accepted time per (entity, quantity).
  newest_times newest_;
};

} // namespace citytwin::ingest
