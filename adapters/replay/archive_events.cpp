// adapters/replay/archive_events.cpp
#include "adapters/replay/archive_events.hpp"

#include "twin/wire.hpp"

#include <algorithm>
#include <cassert>

namespace citytwin::replay {

namespace {

// The recorded second (or span) a time falls in; floor division, so a
// time before 1970 is not folded into the span after it.
twin::time_ms span_of(twin::time_ms t) {
  auto span = defaults::message_span_ms;
  return t >= 0 ? t / span : -((-t + span - 1) / span);
}

} // namespace

stream_selection select_streams(std::span<const archive::stream_name> names,
                                std::span<const twin::entity_kind> kinds) {
  stream_selection result;
  for (const auto& name : names) {
    auto urn = twin::parse_urn(name.entity);
    auto what = twin::parse_quantity(name.quantity);
    if (!urn || !what) {
      ++result.num_foreign;
      continue;
    }
    if (result.city.empty())
      result.city = urn->city;
    if (urn->city != result.city) {
      ++result.num_foreign;
      continue;
    }
    if (!kinds.empty()
        && std::find(kinds.begin(), kinds.end(), urn->id.kind) == kinds.end()) {
      ++result.num_filtered;
      continue;
    }
    result.streams.push_back({name, urn->id, *what});
  }
  return result;
}

void append_readings(const replay_stream& stream,
                     std::span<const archive::sample> samples,
                     twin::reading_batch& out) {
  for (const auto& x : samples)
    out.push_back({stream.id, x.time, x.value, stream.what});
}

std::vector<event> make_messages(twin::reading_batch& readings,
                                 const std::string& topic,
                                 std::string_view city,
                                 size_t max_per_message) {
  // A zero cap would never make progress; callers pass a constant.
  assert(max_per_message > 0);
  std::stable_sort(readings.begin(), readings.end(),
                   [](const twin::reading& x, const twin::reading& y) {
                     return x.time < y.time;
                   });
  std::vector<event> result;
  twin::reading_batch batch;
  auto flush = [&] {
    if (batch.empty())
      return;
    result.push_back(
        {batch.front().time, topic, twin::encode_readings(batch, city)});
    batch.clear();
  };
  for (const auto& x : readings) {
    if (!batch.empty()
        && (batch.size() == max_per_message
            || span_of(x.time) != span_of(batch.front().time)))
      flush();
    batch.push_back(x);
  }
  flush();
  return result;
}

} // namespace citytwin::replay
