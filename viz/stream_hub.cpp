// viz/stream_hub.cpp
#include "viz/stream_hub.hpp"

#include "twin/error.hpp"
#include "twin/json_reader.hpp"
#include "twin/quantity.hpp"
#include "twin/wall_clock.hpp"
#include "twin/wire.hpp"
#include "viz/state_json.hpp"

#include <algorithm>
#include <cstdio>

namespace citytwin::viz {

namespace {

// NGSI-LD types of the kinds in `mask`, comma-separated.
std::string type_names(uint32_t mask) {
  std::string result;
  for (auto kind : twin::all_entity_kinds) {
    if ((mask & kind_bit(kind)) == 0)
      continue;
    if (!result.empty())
      result += ',';
    result += twin::ngsi_type(kind);
  }
  return result;
}

nlohmann::json kind_names(uint32_t mask) {
  auto result = nlohmann::json::array();
  for (auto kind : twin::all_entity_kinds)
    if (mask & kind_bit(kind))
      result.push_back(std::string{twin::to_string(kind)});
  return result;
}

// Every quantity of a kind, as `changed` bits.
uint32_t quantity_mask(twin::entity_kind kind) {
  uint32_t result = 0;
  for (auto q : twin::quantities_of(kind))
    result |= uint32_t{1} << static_cast<int>(q);
  return result;
}

// Clients with equal keys receive equal delta frames.
std::string frame_key(const stream_filter& f) {
  return (f.format == frame_format::proto ? "p" : "j") + selection_key(f);
}

} // namespace

stream_hub::stream_hub(std::shared_ptr<const city_layout> layout,
                       stream_transport& transport, stream_config config)
  : layout_(std::move(layout)),
    layouts_(layout_, viewer_limits::layout_cache_entries),
    transport_(transport),
    config_(config) {
}

void stream_hub::seed(const twin::entity_state& state) {
  // Version 0: what every snapshot shows and no catch-up resends.
  states_.insert_or_assign(state.id, versioned_state{state, 0});
}

void stream_hub::open(connection_id id, const std::string& query) {
  ++stats_.clients_opened;
  auto filter = parse_stream_filter(query);
  if (!filter) {
    ++stats_.rejected_filters;
    reject(id, close_code::policy_violation, twin::describe(filter.error()));
    return;
  }
  auto decision = authorize(*filter);
  // The secret has done its work; the hub keeps no copy of it.
  filter->token.reset();
  if (const auto* refusal = std::get_if<stream_refusal>(&decision)) {
    refuse(id, *refusal);
    return;
  }
  auto& grant = std::get<stream_grant>(decision);
  client c;
  c.allowed = grant.kinds;
  c.expires_ms = grant.expires_ms;
  c.principal = std::move(grant.principal);
  if (auto refusal = check_kinds(c, *filter)) {
    refuse(id, *refusal);
    return;
  }
  if (clients_.size() >= config_.max_clients) {
    ++stats_.too_many_clients;
    reject(id, close_code::try_again_later, "too many viewers");
    return;
  }
  c.filter = std::move(*filter);
  if (c.filter.kinds == 0)
    c.filter.kinds = c.allowed;
  auto& added = clients_.insert_or_assign(id, std::move(c)).first->second;
  stats_.clients_open = clients_.size();
  start_snapshot(id, added);
  flush();
}

std::variant<stream_grant, stream_refusal>
stream_hub::authorize(const stream_filter& filter) const {
  auto token = filter.token.value_or(std::string{});
  auto tenant = filter.tenant.value_or(std::string{});
  if (config_.access)
    return config_.access(token, tenant);
  // No access rules: everybody reads everything, and the one tenant there
  // is is the city itself.
  if (!tenant.empty() && tenant != layout_->city())
    return stream_refusal{refusal_reason::wrong_tenant,
                          wrong_tenant_message(tenant, layout_->city())};
  return stream_grant{all_kinds_mask(), std::nullopt, {}};
}

std::optional<stream_refusal>
stream_hub::check_kinds(const client& c, const stream_filter& f) const {
  if (c.allowed == 0)
    return stream_refusal{refusal_reason::no_access,
                          "no entity type of '" + layout_->city()
                            + "' is readable with these credentials"};
  auto forbidden = f.kinds & ~c.allowed;
  if (forbidden == 0)
    return std::nullopt;
  return stream_refusal{refusal_reason::no_access,
                        "may not read " + type_names(forbidden) + " of '"
                          + layout_->city() + "'"};
}

void stream_hub::refuse(connection_id id, const stream_refusal& refusal) {
  switch (refusal.reason) {
    case refusal_reason::unknown_token:
      ++stats_.refused_unknown_token;
      break;
    case refusal_reason::expired_token:
      ++stats_.refused_expired_token;
      break;
    case refusal_reason::wrong_tenant:
      ++stats_.refused_tenant;
      break;
    case refusal_reason::no_access:
      ++stats_.refused_no_access;
      break;
  }
  reject(id, close_code::policy_violation, refusal.message);
}

bool stream_hub::expired(connection_id id, client& c, int64_t now_ms) {
  if (!c.expires_ms || now_ms < *c.expires_ms)
    return false;
  // Once: the connection lingers until the server reports closed().
  c.expires_ms.reset();
  c.closing = true;
  refuse(id, {refusal_reason::expired_token, "token refused: expired"});
  return true;
}

void stream_hub::reject(connection_id id, uint16_t code,
                        const std::string& reason) {
  // Reasons may quote client input, which need not be UTF-8; JSON must
  // be, so such bytes become U+FFFD instead of an exception.
  send_text(id, nlohmann::json{{"type", "error"}, {"code", code},
                               {"message", reason}}
                  .dump(-1, ' ', false,
                        nlohmann::json::error_handler_t::replace));
  // Close reasons must fit a control frame (125 bytes, 2 for the code) and
  // be UTF-8 (RFC 6455, 5.5.1): ASCII, cut anywhere, stays UTF-8.
  constexpr size_t max_reason = 123;
  auto ascii = reason.substr(0, max_reason);
  for (auto& ch : ascii)
    if (static_cast<unsigned char>(ch) >= 0x80
        || static_cast<unsigned char>(ch) < 0x20)
      ch = '?';
  // A refused client that already streams gets nothing more.
  if (auto i = clients_.find(id); i != clients_.end())
    i->second.closing = true;
  transport_.close(id, code, ascii);
}

void stream_hub::start_snapshot(connection_id id, client& c) {
  // The snapshot shows each entity as it is when the walk reaches it; what
  // changes after this moment is caught up afterwards (an entity changed
  // before the walk reached it is sent twice, which is harmless).
  c.cursor = version_;
  c.in_snapshot = true;
  c.snapshot_next = 0;
  c.snapshot_size = 0;
  nlohmann::json hello{{"type", "hello"},
                       {"city", layout_->city()},
                       {"format", c.filter.format == frame_format::json
                                    ? "json"
                                    : "proto"}};
  if (config_.access) {
    hello["principal"] = c.principal;
    hello["readable"] = kind_names(c.allowed);
  }
  send_text(id, hello.dump());
  // Rendered once per filter and shared by every client that uses it.
  auto layout = layouts_.get(c.filter);
  if (!transport_.send_shared(id, layout, false))
    return;
  ++stats_.frames_sent;
  stats_.bytes_sent += layout->size();
  c.bytes_queued += layout->size();
}

void stream_hub::skip_unsent(client& c) const {
  const auto& items = layout_->items();
  while (c.snapshot_next < items.size()) {
    const auto& x = items[c.snapshot_next];
    if (c.filter.accepts(x.id.kind, x.box) && states_.count(x.id) != 0)
      return;
    ++c.snapshot_next;
  }
}

twin::delta_batch stream_hub::next_snapshot_batch(client& c) {
  twin::delta_batch result;
  const auto& items = layout_->items();
  skip_unsent(c);
  while (c.snapshot_next < items.size() && result.size() < config_.max_batch) {
    const auto& x = items[c.snapshot_next++];
    if (!c.filter.accepts(x.id.kind, x.box))
      continue;
    auto i = states_.find(x.id);
    if (i != states_.end())
      result.push_back({i->second.state, i->second.state.seen});
  }
  // Stop at the next state to send, so a finished snapshot shows at once.
  skip_unsent(c);
  c.snapshot_size += result.size();
  return result;
}

void stream_hub::message(connection_id id, const std::string& payload,
                         bool binary) {
  auto i = clients_.find(id);
  if (i == clients_.end() || i->second.closing)
    return;
  if (binary) {
    ++stats_.bad_messages;
    reject(id, close_code::unsupported_data, "binary messages not accepted");
    return;
  }
  // Client JSON goes through the bounded reader (depth, elements,
  // duplicate keys); a filter is one flat object.
  auto read = twin::read_json(payload);
  if (!read)
    count_json_refusal(read.refusal);
  const auto& msg = read.value;
  if (!read || !msg.is_object()) {
    ++stats_.bad_messages;
    reject(id, close_code::invalid_payload, "message is not a JSON object");
    return;
  }
  // value("type", string) would throw on {"type":1} and end the server
  // (nothing catches on the WebSocket thread): test the type first.
  auto type_of = msg.find("type");
  bool is_filter = type_of != msg.end() && type_of->is_string()
                   && type_of->get_ref<const std::string&>() == "filter";
  if (!is_filter || !msg.contains("query")
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
  if (filter->token || filter->tenant) {
    ++stats_.bad_messages;
    reject(id, close_code::policy_violation,
           "token and tenant are fixed when the stream opens; reconnect to "
           "change them");
    return;
  }
  if (auto refusal = check_kinds(i->second, *filter)) {
    refuse(id, *refusal);
    return;
  }
  if (filter->kinds == 0)
    filter->kinds = i->second.allowed;
  // The new snapshot starts once the client has read what it has queued:
  // a client sending filters without reading must not queue a layout for
  // each (the latest filter wins).
  auto& c = i->second;
  ++stats_.filter_changes;
  c.filter = *filter;
  c.restart_pending = true;
  if (transport_.buffered(id) >= config_.high_water_bytes)
    ++stats_.deferred_filters;
  flush();
}

void stream_hub::count_json_refusal(twin::json_refusal r) {
  auto index = static_cast<size_t>(r);
  if (index < stats_.json_refusals.size())
    ++stats_.json_refusals[index];
}

void stream_hub::closed(connection_id id, uint16_t code) {
  if (code == close_code::message_too_big)
    ++stats_.oversized;
  if (auto i = clients_.find(id); i != clients_.end())
    stats_.bytes_released += i->second.bytes_queued;
  clients_.erase(id);
  stats_.clients_open = clients_.size();
}

void stream_hub::protocol_error() {
  ++stats_.protocol_errors;
}

bool stream_hub::apply(const twin::delta_batch& batch) {
  stats_.deltas_in += batch.size();
  auto before = version_;
  std::vector<placed> known;
  known.reserve(batch.size());
  for (const auto& d : batch) {
    const auto* box = layout_->where(d.state.id);
    if (box == nullptr) {
      ++stats_.unknown_entities;
      continue;
    }
    // The newest state, and its place in the log of changes: one entry
    // per entity, at its latest version.
    auto& entry = states_[d.state.id];
    if (entry.version != 0)
      changes_.erase(entry.version);
    entry.state = d.state;
    entry.version = ++version_;
    changes_.emplace(entry.version, d.state.id);
    known.push_back({&d, box, entry.version});
  }
  // A client that has been sent everything so far gets the same frames as
  // any other with its filter: each frame is encoded once per filter, not
  // once per viewer (128 viewers of the whole city cost the server thread
  // 128 encodings of every delta, and the stream fell seconds behind).
  // Clients behind (snapshot, restart, a full socket) cost nothing here:
  // `flush` catches them up from the log of changes.
  auto now_ms = twin::now_ms();
  std::unordered_map<std::string, std::vector<connection_id>> groups;
  for (auto& [id, c] : clients_) {
    if (c.closing || expired(id, c, now_ms))
      continue;
    if (!c.restart_pending && !c.in_snapshot && c.cursor == before)
      groups[frame_key(c.filter)].push_back(id);
  }
  for (const auto& [key, ids] : groups)
    send_live(ids, clients_.at(ids.front()).filter, known, before);
  return flush();
}

void stream_hub::send_live(const std::vector<connection_id>& ids,
                           const stream_filter& filter,
                           const std::vector<placed>& known, uint64_t before) {
  twin::delta_batch deltas;
  std::vector<uint64_t> versions;
  for (const auto& x : known)
    if (filter.accepts(x.delta->state.id.kind, *x.box)) {
      deltas.push_back(*x.delta);
      versions.push_back(x.version);
    }
  auto binary = filter.format == frame_format::proto;
  // `line`: the cursor of a client that got every chunk so far. One that
  // misses a chunk (over its cap) keeps its cursor and catches up later.
  auto line = before;
  for (size_t from = 0; from < deltas.size(); from += config_.max_batch) {
    auto to = std::min(deltas.size(), from + config_.max_batch);
    twin::delta_batch chunk(deltas.begin() + static_cast<ptrdiff_t>(from),
                            deltas.begin() + static_cast<ptrdiff_t>(to));
    auto last = versions[to - 1];
    std::shared_ptr<const std::string> frame;
    for (auto id : ids) {
      auto& c = clients_.at(id);
      if (c.closing || c.cursor != line || over_cap(id, c))
        continue;
      if (!frame) {
        frame = std::make_shared<const std::string>(
          encode(filter.format, false, chunk));
        ++stats_.frames_encoded;
      }
      if (!transport_.send_shared(id, frame, binary))
        continue;
      ++stats_.frames_sent;
      stats_.bytes_sent += frame->size();
      stats_.deltas_sent += chunk.size();
      c.bytes_queued += frame->size();
      c.cursor = last;
    }
    line = last;
  }
  // Versions after the last accepted delta are none of these clients'.
  for (auto id : ids)
    if (auto& c = clients_.at(id); c.cursor == line)
      c.cursor = version_;
}

twin::delta_batch stream_hub::next_catch_up_batch(client& c) {
  twin::delta_batch result;
  auto i = changes_.upper_bound(c.cursor);
  for (; i != changes_.end() && result.size() < config_.max_batch; ++i) {
    const auto& entry = states_.at(i->second);
    const auto* box = layout_->where(i->second);
    c.cursor = i->first;
    if (box == nullptr || !c.filter.accepts(i->second.kind, *box))
      continue;
    // What changed since this client's last frame is unknown here (the
    // log keeps the newest state only): every attribute may have.
    result.push_back({entry.state, quantity_mask(i->second.kind)});
  }
  if (i == changes_.end())
    c.cursor = version_;
  return result;
}

bool stream_hub::flush() {
  // One frame per client per pass, and passes only up to a byte budget:
  // clients share the server thread fairly, and new deltas, other
  // sockets and HTTP wait at most one budget's worth of encoding. Closing
  // a client removes it from clients_, so work with ids.
  std::vector<connection_id> active;
  active.reserve(clients_.size());
  auto now_ms = twin::now_ms();
  for (auto& [id, c] : clients_)
    if (!c.closing && !expired(id, c, now_ms))
      active.push_back(id);
  size_t spent = 0;
  // Nothing changes during one call, so catch-up frames keep.
  catch_up_cache catch_ups;
  while (!active.empty() && spent < config_.flush_budget_bytes) {
    std::vector<connection_id> again;
    for (auto id : active) {
      auto i = clients_.find(id);
      if (i == clients_.end())
        continue;
      auto [bytes, more] = flush_step(id, i->second, catch_ups);
      spent += bytes;
      if (more)
        again.push_back(id);
    }
    active.swap(again);
  }
  backlog_ = !active.empty();
  return backlog_;
}

bool stream_hub::over_cap(connection_id id, client& c) {
  auto now = std::chrono::steady_clock::now();
  if (transport_.buffered(id) < config_.high_water_bytes) {
    c.blocked_since = {};
    return false;
  }
  if (c.blocked_since == std::chrono::steady_clock::time_point{})
    c.blocked_since = now;
  if (now - c.blocked_since >= config_.stall_timeout) {
    ++stats_.stalled;
    transport_.close(id, close_code::policy_violation,
                     "client too slow: not reading");
    // Close once; the server reports
    // closed() when the socket is gone.
    c.closing = true;
  }
  return true;
}

std::pair<size_t, bool> stream_hub::flush_step(connection_id id, client& c,
                                               catch_up_cache& catch_ups) {
  // Every frame goes out only below the cap, so a client holds at most
  // the cap plus one frame, however little it reads. A client at its cap
  // is no work for now: the periodic flush looks again.
  if (c.closing)
    return {0, false};
  size_t sent = 0;
  if (c.restart_pending) {
    if (over_cap(id, c))
      return {0, false};
    c.restart_pending = false;
    auto before = c.bytes_queued;
    start_snapshot(id, c);
    sent += c.bytes_queued - before;
  }
  if (c.in_snapshot) {
    skip_unsent(c);
    if (c.snapshot_next < layout_->items().size()) {
      if (c.closing || over_cap(id, c))
        return {sent, false};
      auto batch = next_snapshot_batch(c);
      return {sent + send_batch(id, c, batch, true), true};
    }
    c.in_snapshot = false;
    send_text(id, nlohmann::json{{"type", "snapshot_end"},
                                 {"entities", c.snapshot_size}}
                    .dump());
  }
  if (c.cursor == version_ || c.closing || over_cap(id, c))
    return {sent, false};
  // Viewers that fell behind together (one slow process reading many)
  // stand at the same cursor: the first one's frame is theirs too, encoded
  // and held once.
  auto key = std::make_pair(frame_key(c.filter), c.cursor);
  auto hit = catch_ups.find(key);
  if (hit == catch_ups.end()) {
    auto batch = next_catch_up_batch(c);
    catch_up_frame made{nullptr, c.cursor, batch.size()};
    if (!batch.empty()) {
      made.frame = std::make_shared<const std::string>(
        encode(c.filter.format, false, batch));
      ++stats_.frames_encoded;
    }
    hit = catch_ups.emplace(std::move(key), std::move(made)).first;
  }
  const auto& f = hit->second;
  c.cursor = f.cursor_after;
  if (f.frame
      && transport_.send_shared(id, f.frame,
                                c.filter.format == frame_format::proto)) {
    ++stats_.frames_sent;
    ++stats_.catch_up_frames;
    stats_.bytes_sent += f.frame->size();
    stats_.deltas_sent += f.states;
    stats_.deltas_caught_up += f.states;
    c.bytes_queued += f.frame->size();
    sent += f.frame->size();
  }
  return {sent, c.cursor != version_};
}

size_t stream_hub::send_batch(connection_id id, client& c,
                              const twin::delta_batch& batch, bool snapshot) {
  auto frame = encode(c.filter.format, snapshot, batch);
  ++stats_.frames_encoded;
  if (!transport_.send(id, frame, c.filter.format == frame_format::proto))
    return 0;
  ++stats_.frames_sent;
  stats_.bytes_sent += frame.size();
  stats_.deltas_sent += batch.size();
  c.bytes_queued += frame.size();
  return frame.size();
}

void stream_hub::send_text(connection_id id, const std::string& text) {
  if (!transport_.send(id, text, false))
    return;
  ++stats_.frames_sent;
  stats_.bytes_sent += text.size();
}

std::string stream_hub::encode(frame_format format, bool snapshot,
                               const twin::delta_batch& batch) const {
  if (format == frame_format::proto)
    return twin::encode_deltas(batch, layout_->city());
  // Written as text, members in name order: one document per delta, built
  // only to be dumped, was most of the cost of a frame.
  std::string out = "{\"deltas\":[";
  for (size_t i = 0; i < batch.size(); ++i) {
    if (i > 0)
      out += ',';
    append_delta_json(out, batch[i].state, layout_->city(), batch[i].changed);
  }
  out += "],\"snapshot\":";
  out += snapshot ? "true" : "false";
  out += ",\"type\":\"deltas\"}";
  return out;
}

} // namespace citytwin::viz
