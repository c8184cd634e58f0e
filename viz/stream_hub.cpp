// viz/stream_hub.cpp
#include "viz/stream_hub.hpp"

#include "twin/error.hpp"
#include "twin/quantity.hpp"
#include "twin/wire.hpp"
#include "viz/state_json.hpp"

namespace citytwin::viz {

nlohmann::json to_json(const stream_stats& s) {
  return {
    {"clients_opened", s.clients_opened},
    {"clients_open", s.clients_open},
    {"frames_sent", s.frames_sent},
    {"bytes_sent", s.bytes_sent},
    {"deltas_sent", s.deltas_sent},
    {"deltas_in", s.deltas_in},
    {"deltas_coalesced", s.deltas_coalesced},
    {"rejected_filters", s.rejected_filters},
    {"bad_messages", s.bad_messages},
    {"oversized", s.oversized},
    {"protocol_errors", s.protocol_errors},
    {"too_many_clients", s.too_many_clients},
    {"stalled", s.stalled},
    {"unknown_entities", s.unknown_entities},
  };
}

namespace {

nlohmann::json changed_names(uint32_t mask) {
  auto result = nlohmann::json::array();
  for (size_t q = 1; q <= twin::num_quantities; ++q)
    if (mask & (uint32_t{1} << q))
      result.push_back(
        std::string{twin::info(static_cast<twin::quantity>(q)).name});
  return result;
}

} // namespace

stream_hub::stream_hub(std::shared_ptr<const city_layout> layout,
                       stream_transport& transport, stream_config config)
  : layout_(std::move(layout)), transport_(transport), config_(config) {
}

void stream_hub::seed(const twin::entity_state& state) {
  states_.insert_or_assign(state.id, state);
}

void stream_hub::open(connection_id id, const std::string& query) {
  ++stats_.clients_opened;
  auto filter = parse_stream_filter(query);
  if (!filter) {
    ++stats_.rejected_filters;
    reject(id, close_code::policy_violation, twin::describe(filter.error()));
    return;
  }
  if (clients_.size() >= config_.max_clients) {
    ++stats_.too_many_clients;
    reject(id, close_code::try_again_later, "too many viewers");
    return;
  }
  auto& c = clients_[id];
  stats_.clients_open = clients_.size();
  c.filter = *filter;
  start_snapshot(id, c);
  flush(id, c);
}

void stream_hub::reject(connection_id id, uint16_t code,
                        const std::string& reason) {
  send_text(id, nlohmann::json{{"type", "error"}, {"code", code},
                               {"message", reason}}
                  .dump());
  // Close reasons must fit a control frame (125 bytes, 2 for the code).
  constexpr size_t max_reason = 123;
  transport_.close(id, code, reason.substr(0, max_reason));
}

void stream_hub::start_snapshot(connection_id id, client& c) {
  c.queue = delta_queue{};
  c.in_snapshot = true;
  send_text(id, nlohmann::json{{"type", "hello"},
                               {"city", layout_->city()},
                               {"format", c.filter.format == frame_format::json
                                            ? "json"
                                            : "proto"}}
                  .dump());
  send_text(id, layout_->render(c.filter));
  for (const auto& x : layout_->items()) {
    if (!c.filter.accepts(x.id.kind, x.box))
      continue;
    auto i = states_.find(x.id);
    if (i != states_.end())
      c.queue.add({i->second, i->second.seen});
  }
  c.snapshot_size = c.queue.size();
}

void stream_hub::message(connection_id id, const std::string& payload,
                         bool binary) {
  auto i = clients_.find(id);
  if (i == clients_.end())
    return;
  if (binary) {
    ++stats_.bad_messages;
    reject(id, close_code::unsupported_data, "binary messages not accepted");
    return;
  }
  auto msg = nlohmann::json::parse(payload, nullptr, false);
  if (msg.is_discarded() || !msg.is_object()) {
    ++stats_.bad_messages;
    reject(id, close_code::invalid_payload, "message is not a JSON object");
    return;
  }
  auto type = msg.value("type", std::string{});
  if (type != "filter" || !msg.contains("query")
      || !msg["query"].is_string()) {
    ++stats_.bad_messages;
    reject(id, close_code::policy_violation,
           "unknown message; expected {\"type\":\"filter\",\"query\":...}");
    return;
  }
  auto filter = parse_stream_filter(msg["query"].get<std::string>());
  if (!filter) {
    ++stats_.rejected_filters;
    reject(id, close_code::policy_violation, twin::describe(filter.error()));
    return;
  }
  i->second.filter = *filter;
  start_snapshot(id, i->second);
  flush(id, i->second);
}

void stream_hub::closed(connection_id id, uint16_t code) {
  if (code == close_code::message_too_big)
    ++stats_.oversized;
  clients_.erase(id);
  stats_.clients_open = clients_.size();
}

void stream_hub::protocol_error() {
  ++stats_.protocol_errors;
}

void stream_hub::apply(const twin::delta_batch& batch) {
  stats_.deltas_in += batch.size();
  for (const auto& d : batch) {
    const auto* box = layout_->where(d.state.id);
    if (box == nullptr) {
      ++stats_.unknown_entities;
      continue;
    }
    states_.insert_or_assign(d.state.id, d.state);
    for (auto& [id, c] : clients_) {
      if (!c.filter.accepts(d.state.id.kind, *box))
        continue;
      auto before = c.queue.num_coalesced();
      c.queue.add(d);
      stats_.deltas_coalesced += c.queue.num_coalesced() - before;
    }
  }
  flush();
}

void stream_hub::flush() {
  // Closing a client removes it from clients_, so collect ids first.
  std::vector<connection_id> ids;
  ids.reserve(clients_.size());
  for (const auto& [id, c] : clients_)
    ids.push_back(id);
  for (auto id : ids) {
    auto i = clients_.find(id);
    if (i != clients_.end())
      flush(id, i->second);
  }
}

void stream_hub::flush(connection_id id, client& c) {
  auto now = std::chrono::steady_clock::now();
  while (!c.queue.empty()) {
    if (transport_.buffered(id) >= config_.high_water_bytes) {
      if (c.blocked_since == std::chrono::steady_clock::time_point{})
        c.blocked_since = now;
      if (now - c.blocked_since >= config_.stall_timeout) {
        ++stats_.stalled;
        transport_.close(id, close_code::policy_violation,
                         "client too slow: not reading");
        c.blocked_since = now; // close once; the server reports closed()
      }
      return;
    }
    c.blocked_since = {};
    auto batch = c.queue.take(config_.max_batch);
    auto frame = encode(c, batch);
    auto binary = c.filter.format == frame_format::proto;
    if (!transport_.send(id, frame, binary))
      return;
    ++stats_.frames_sent;
    stats_.bytes_sent += frame.size();
    stats_.deltas_sent += batch.size();
  }
  c.blocked_since = {};
  if (c.in_snapshot) {
    c.in_snapshot = false;
    send_text(id, nlohmann::json{{"type", "snapshot_end"},
                                 {"entities", c.snapshot_size}}
                    .dump());
  }
}

void stream_hub::send_text(connection_id id, const std::string& text) {
  if (!transport_.send(id, text, false))
    return;
  ++stats_.frames_sent;
  stats_.bytes_sent += text.size();
}

std::string stream_hub::encode(const client& c,
                               const twin::delta_batch& batch) const {
  if (c.filter.format == frame_format::proto)
    return twin::encode_deltas(batch, layout_->city());
  auto deltas = nlohmann::json::array();
  for (const auto& d : batch) {
    auto j = to_json(d.state, layout_->city());
    j["changed"] = changed_names(d.changed);
    deltas.push_back(std::move(j));
  }
  return nlohmann::json{{"type", "deltas"},
                        {"snapshot", c.in_snapshot},
                        {"deltas", std::move(deltas)}}
    .dump();
}

} // namespace citytwin::viz
