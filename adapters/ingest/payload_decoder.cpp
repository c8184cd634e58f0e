// adapters/ingest/payload_decoder.cpp
#include "adapters/ingest/payload_decoder.hpp"

#include "adapters/ingest/ngsi_ld.hpp"
#include "adapters/ingest/senml.hpp"
#include "adapters/ingest/topic.hpp"
#include "adapters/ingest/units.hpp"
#include "adapters/ingest/utf8.hpp"
#include "twin/error.hpp"
#include "twin/json_reader.hpp"
#include "twin/wire.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace citytwin::ingest {

namespace {

using json = nlohmann::json;

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// NGSI-LD: one object, or an array whose first element has an `id`.
// SenML records never carry `id`.
bool looks_like_ngsi(const json& doc) {
  if (doc.is_object())
    return true;
  return doc.is_array() && !doc.empty() && doc.front().is_object()
         && doc.front().contains("id");
}

// A quantity fits in 5 bits (twin/quantity.hpp keeps them below 32).
uint64_t sequence_key(const twin::reading& x) {
  return (twin::pack(x.target) << 5) | static_cast<uint64_t>(x.what);
}

std::string at_time(const twin::reading& x) {
  return std::to_string(twin::pack(x.target)) + "/"
         + std::string{twin::info(x.what).name} + " at "
         + std::to_string(x.time);
}

} // namespace

payload_decoder::payload_decoder(decoder_config config,
                                 ingest_counters& counters,
                                 reject_log::sink log)
  : config_(std::move(config)), counters_(counters), log_(log),
    note_(std::move(log)), creator_(config_.create) {
  // nop
}

void payload_decoder::decode(std::string_view topic, std::string_view payload,
                             twin::time_ms now, twin::reading_batch& out) {
  if (!valid_utf8(topic)) {
    counters_.count_message(payload.size());
    reject({reject_reason::invalid_utf8, "topic is not UTF-8"}, now);
    return;
  }
  auto parts = parse_topic(topic, config_.topic_root);
  if (!parts || (!config_.tenant.empty() && parts->tenant != config_.tenant)) {
    counters_.count_message(payload.size());
    reject({reject_reason::bad_topic,
            "'" + std::string{topic} + "' is not "
              + topic_filter(config_.tenant.empty() ? "<tenant>"
                                                    : config_.tenant,
                             config_.topic_root)},
           now);
    return;
  }
  // Only the creation of entities for unknown ids needs the topic.
  topic_ = topic;
  topic_kind_ = parts->kind;
  decode(payload, now, out);
  topic_ = {};
  topic_kind_ = {};
}

void payload_decoder::decode(std::string_view payload, twin::time_ms now,
                             twin::reading_batch& out) {
  counters_.count_message(payload.size());
  if (payload.size() > config_.max_payload_bytes) {
    reject({reject_reason::too_large,
            std::to_string(payload.size()) + " bytes, limit "
              + std::to_string(config_.max_payload_bytes)},
           now);
    return;
  }
  if (payload.empty()) {
    // Also what MQTT sends to clear a retained message.
    reject({reject_reason::malformed_payload, "empty payload"}, now);
    return;
  }
  auto first = std::find_if_not(payload.begin(), payload.end(), blank);
  if (first != payload.end() && (*first == '[' || *first == '{'))
    decode_json(payload, now, out);
  else
    decode_protobuf(payload, now, out);
}

void payload_decoder::decode_json(std::string_view payload, twin::time_ms now,
                                  twin::reading_batch& out) {
  if (!valid_utf8(payload)) {
    reject({reject_reason::invalid_utf8, "payload is not UTF-8"}, now);
    return;
  }
  // SenML arrays, the common case, are read without building a DOM; the
  // reader stops at once at an array of NGSI-LD entities.
  auto first = std::find_if_not(payload.begin(), payload.end(), blank);
  if (first != payload.end() && *first == '[') {
    const auto& pack = senml_.parse(payload, static_cast<double>(now) / 1000,
                                    true);
    if (!pack.is_ngsi_ld) {
      decode_senml(pack, now, out);
      return;
    }
  }
  auto read = twin::read_json(payload);
  if (!read) {
    auto reason = read.refusal == twin::json_refusal::syntax
                    ? reject_reason::malformed_payload
                    : reject_reason::too_complex;
    reject({reason, "malformed JSON: " + read.detail}, now);
    return;
  }
  const auto& doc = read.value;
  if (looks_like_ngsi(doc)) {
    decode_ngsi(doc, now, out);
    return;
  }
  decode_senml(resolve_senml(doc, static_cast<double>(now) / 1000), now, out);
}

void payload_decoder::decode_ngsi(const nlohmann::json& doc,
                                  twin::time_ms now,
                                  twin::reading_batch& out) {
  auto start = out.size();
  unknown_id_resolver unknown;
  if (creator_.enabled())
    unknown = [this](std::string_view id, twin::quantity what)
      -> std::variant<twin::entity_id, rejection> {
      auto found = resolve_unknown(id, what);
      if (found.refused)
        return std::move(*found.refused);
      return found.id;
    };
  auto found = ngsi_to_readings(doc, config_.city, now, unknown);
  counters_.count_records(found.num_attributes);
  for (auto& x : found.rejected)
    reject(std::move(x), now);
  for (const auto& x : found.readings)
    accept(x, now, out);
  finish(start, now, out);
}

void payload_decoder::decode_senml(const senml_pack& pack, twin::time_ms now,
                                   twin::reading_batch& out) {
  if (pack.failed) {
    reject({pack.failed->reason, pack.failed->detail}, now);
    return;
  }
  auto start = out.size();
  counters_.count_records(pack.records.size() + pack.rejected.size());
  for (const auto& x : pack.rejected)
    reject({x.reason, x.detail}, now);
  for (const auto& record : pack.records) {
    binding_lookup bound;
    if (config_.bindings)
      bound = config_.bindings->find(record.name, memo_);
    if (!bound.ok && bound.reason == reject_reason::unknown_entity
        && creator_.enabled()) {
      auto created = bind_unknown(record.name, now);
      if (!created)
        continue;
      bound.found = *created;
      bound.ok = true;
    }
    if (!bound.ok) {
      reject({bound.reason, "no binding for SenML name '" + record.name + "'"},
             now);
      continue;
    }
    double number = 0;
    if (record.value)
      number = *record.value;
    else if (record.sum)
      number = *record.sum;
    else if (record.bool_value)
      number = *record.bool_value ? 1 : 0;
    else {
      reject({reject_reason::not_numeric,
              record.name + ": string or data value"},
             now);
      continue;
    }
    auto value = to_quantity_unit(number, record.unit, bound.found.what);
    if (!value) {
      reject({reject_reason::unit_mismatch,
              record.name + ": unit '" + record.unit + "' is not '"
                + std::string{twin::info(bound.found.what).unit} + "'"},
             now);
      continue;
    }
    // Rounded, not truncated: 1276020071.001 s must stay ...071001 ms.
    auto time = static_cast<twin::time_ms>(std::llround(record.time_s * 1000));
    accept({bound.found.target, time, *value, bound.found.what}, now, out);
  }
  finish(start, now, out);
}

void payload_decoder::decode_protobuf(std::string_view payload,
                                      twin::time_ms now,
                                      twin::reading_batch& out) {
  size_t skipped = 0;
  auto batch = twin::decode_readings(payload, skipped);
  if (!batch) {
    reject({reject_reason::malformed_payload, twin::describe(batch.error())},
           now);
    return;
  }
  counters_.count_records(batch->size() + skipped);
  if (skipped > 0) {
    counters_.count_rejected(reject_reason::unknown_quantity, skipped - 1);
    reject({reject_reason::unknown_quantity,
            std::to_string(skipped)
              + " readings of unknown kind or quantity in a ReadingBatch"},
           now);
  }
  auto start = out.size();
  for (const auto& x : *batch)
    accept(x, now, out);
  finish(start, now, out);
}

bool payload_decoder::accept(const twin::reading& x, twin::time_ms now,
                             twin::reading_batch& out) {
  if (!std::isfinite(x.value)) {
    reject({reject_reason::not_finite, at_time(x) + ": value is not finite"},
           now);
    return false;
  }
  if (x.time < config_.min_time_ms) {
    reject({reject_reason::too_old, at_time(x)}, now);
    return false;
  }
  if (x.time > now + config_.max_ahead_ms) {
    reject({reject_reason::in_future,
            at_time(x) + ", now is " + std::to_string(now)},
           now);
    return false;
  }
  auto [newest, added] = newest_.try_emplace(sequence_key(x), x.time);
  if (!added) {
    if (x.time == *newest) {
      reject({reject_reason::duplicate, at_time(x)}, now);
      return false;
    }
    if (x.time < *newest) {
      reject({reject_reason::out_of_order,
              at_time(x) + " after " + std::to_string(*newest)},
             now);
      return false;
    }
    *newest = x.time;
  }
  out.push_back(x);
  return true;
}

std::optional<binding> payload_decoder::bind_unknown(std::string_view name,
                                                    twin::time_ms now) {
  // Like a `device` binding: the prefix names the sensor, the rest the
  // quantity; a bare quantity name is the topic's sensor.
  auto cut = name.find_last_of(":/");
  auto quantity_name = cut == std::string_view::npos ? name
                                                     : name.substr(cut + 1);
  auto what = twin::parse_quantity(quantity_name);
  if (!what) {
    reject({reject_reason::unknown_quantity,
            "no binding for SenML name '" + std::string{name}
              + "', and '" + std::string{quantity_name}
              + "' is no quantity"},
           now);
    return std::nullopt;
  }
  std::string topic_device;
  auto device = name.substr(0, cut + 1);
  if (cut == std::string_view::npos) {
    if (topic_.empty()) {
      reject({reject_reason::unknown_entity,
              "no binding for SenML name '" + std::string{name} + "'"},
             now);
      return std::nullopt;
    }
    topic_device = std::string{topic_} + "/";
    device = topic_device;
  }
  auto found = resolve_unknown(device, *what);
  if (found.refused) {
    reject(std::move(*found.refused), now);
    return std::nullopt;
  }
  return binding{found.id, *what};
}

resolution payload_decoder::resolve_unknown(std::string_view external,
                                            twin::quantity what) {
  auto result = creator_.resolve(external, topic_kind_, what);
  if (result.created) {
    counters_.count_created();
    if (note_)
      note_("ingest creates " + twin::to_urn(result.id, config_.city)
            + " for '" + std::string{external} + "'");
  }
  return result;
}

void payload_decoder::reject(rejection x, twin::time_ms now) {
  counters_.count_rejected(x.reason);
  log_.note(x, now);
}

void payload_decoder::finish(size_t first, twin::time_ms now,
                             const twin::reading_batch& out) {
  auto n = out.size() - first;
  if (n == 0)
    return;
  int64_t sum = 0;
  int64_t max = 0;
  for (size_t i = first; i < out.size(); ++i) {
    auto lag = now - out[i].time;
    sum += lag;
    max = std::max(max, lag);
  }
  counters_.count_accepted(n);
  counters_.count_lag(sum, max, n);
}

} // namespace citytwin::ingest
