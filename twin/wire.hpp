// twin/wire.hpp
#pragma once

#include "twin/entity_state.hpp"
#include "twin/reading.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace citytwin::twin {

/// Encodes readings as a Protobuf `ReadingBatch` (twin/proto/citytwin.proto).
std::string encode_readings(const reading_batch& readings,
                            std::string_view city);

/// Decodes a Protobuf `ReadingBatch`. Entries with an unknown kind or
/// quantity are skipped and counted in `num_skipped`; the rest are kept.
/// errc::malformed_payload if the bytes are not a ReadingBatch at all.
caf::expected<reading_batch> decode_readings(std::string_view bytes,
                                             size_t& num_skipped);

/// Encodes deltas as a Protobuf `DeltaBatch`, with URNs of city `city`.
std::string encode_deltas(const delta_batch& deltas, std::string_view city);

/// Encodes one entity state as a Protobuf `EntityState`.
std::string encode_state(const entity_state& state, std::string_view city);

} // namespace citytwin::twin
