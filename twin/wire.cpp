// twin/wire.cpp
#include "twin/wire.hpp"

#include "twin/error.hpp"

#include "citytwin.pb.h"

namespace citytwin::twin {

namespace {

void fill(wire::EntityState& out, const entity_state& state,
          std::string_view city) {
  out.set_kind(static_cast<uint32_t>(state.id.kind));
  out.set_number(state.id.number);
  out.set_id(to_urn(state.id, city));
  out.set_updated_ms(state.updated);
  out.set_num_applied(state.num_applied);
  for (const auto& attr : attributes(state)) {
    auto* a = out.add_attributes();
    a->mutable_name()->assign(attr.name); // reuses a cleared name's buffer
    a->set_value(attr.value);
  }
}

} // namespace

std::string encode_readings(const reading_batch& readings,
                            std::string_view city) {
  wire::ReadingBatch batch;
  batch.set_city(std::string{city});
  batch.mutable_readings()->Reserve(static_cast<int>(readings.size()));
  for (const auto& x : readings) {
    auto* r = batch.add_readings();
    r->set_kind(static_cast<uint32_t>(x.target.kind));
    r->set_number(x.target.number);
    r->set_quantity(static_cast<uint32_t>(x.what));
    r->set_value(x.value);
    r->set_time_ms(x.time);
  }
  return batch.SerializeAsString();
}

caf::expected<reading_batch> decode_readings(std::string_view bytes,
                                             size_t& num_skipped) {
  wire::ReadingBatch batch;
  if (!batch.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return caf::make_error(errc::malformed_payload,
                           "not a Protobuf ReadingBatch");
  reading_batch result;
  result.reserve(static_cast<size_t>(batch.readings_size()));
  for (const auto& r : batch.readings()) {
    bool known_kind = r.kind() >= 1 && r.kind() <= num_entity_kinds;
    bool known_quantity = r.quantity() >= 1 && r.quantity() <= num_quantities;
    if (!known_kind || !known_quantity) {
      ++num_skipped;
      continue;
    }
    result.push_back({{static_cast<entity_kind>(r.kind()), r.number()},
                      r.time_ms(),
                      r.value(),
                      static_cast<quantity>(r.quantity())});
  }
  return result;
}

std::string encode_deltas(const delta_batch& deltas, std::string_view city) {
  // Reused per thread: Clear() keeps the cleared deltas and their strings
  // for the next Add, so a viewer frame costs no allocation but its
  // output. Building a fresh message per frame made malloc and free the
  // larger part of the viewer server thread's work at 100k readings/s.
  thread_local wire::DeltaBatch batch;
  batch.Clear();
  batch.set_city(std::string{city});
  for (const auto& d : deltas) {
    auto* out = batch.add_deltas();
    fill(*out->mutable_state(), d.state, city);
    out->set_changed_mask(d.changed);
  }
  auto result = batch.SerializeAsString();
  // A snapshot's batches are large; keep no more than a live frame's.
  constexpr int kept = 1024;
  if (batch.deltas_size() > kept)
    batch.mutable_deltas()->DeleteSubrange(kept, batch.deltas_size() - kept);
  return result;
}

std::string encode_state(const entity_state& state, std::string_view city) {
  wire::EntityState out;
  fill(out, state, city);
  return out.SerializeAsString();
}

} // namespace citytwin::twin
