// tests/viz/ws_frames.cpp: malformed and oversized WebSocket frames sent
// over a raw TCP socket to a running viewer server (a real twin, the
// WebSocket++ server, the live stream): each is closed with the code RFC
// 6455 asks for and counted in /api/stream, while a well-behaved viewer
// connected all along keeps receiving deltas.
#include "raw_socket.hpp"
#include "served_twin.hpp"
#include "viz/ws_client.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cmath>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

using namespace citytwin;
using namespace citytwin::viz;

namespace {

constexpr auto wait_limit = std::chrono::seconds(10);
constexpr auto poll_period = std::chrono::milliseconds(10);

// Frame bits (RFC 6455, section 5.2).
constexpr uint8_t fin = 0x80;
constexpr uint8_t rsv1 = 0x40;
constexpr uint8_t op_text = 0x1;
constexpr uint8_t op_binary = 0x2;
constexpr uint8_t op_reserved = 0x3; // a non-control opcode nobody defined
constexpr uint8_t op_close = 0x8;
constexpr uint8_t op_ping = 0x9;

// Polls `done` until it holds or `wait_limit` passes.
bool wait_until(const std::function<bool()>& done) {
  auto deadline = std::chrono::steady_clock::now() + wait_limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(poll_period);
  }
  return true;
}

// A client frame: `head` is the first byte (FIN, RSV, opcode). Masked
// unless told otherwise, with the fixed key 1,2,3,4. `claimed` overrides
// the length field, for frames whose payload never follows.
std::string client_frame(uint8_t head, std::string_view payload,
                         bool masked = true,
                         std::optional<uint64_t> claimed = std::nullopt) {
  std::string result(1, static_cast<char>(head));
  uint64_t length = claimed.value_or(payload.size());
  uint8_t mask_bit = masked ? 0x80 : 0x00;
  if (length < 126) {
    result += static_cast<char>(mask_bit | length);
  } else if (length <= 0xFFFF) {
    result += static_cast<char>(mask_bit | 126);
    result += static_cast<char>(length >> 8);
    result += static_cast<char>(length & 0xFF);
  } else {
    result += static_cast<char>(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      result += static_cast<char>((length >> shift) & 0xFF);
  }
  const char key[4] = {1, 2, 3, 4};
  if (masked)
    result.append(key, 4);
  for (size_t i = 0; i < payload.size(); ++i)
    result += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  return result;
}

// Upgrades a raw socket to a WebSocket on /ws?`query`; false unless the
// server answers 101. Bytes after the response stay in the buffer.
bool handshake(test::raw_socket& s, const std::string& query) {
  if (!s.ok()
      || !s.send_all("GET /ws?" + query
                     + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                       "Sec-WebSocket-Version: 13\r\n\r\n"))
    return false;
  constexpr size_t max_header = 8192;
  while (s.buffer.find("\r\n\r\n") == std::string::npos
         && s.buffer.size() < max_header)
    if (!s.receive_more())
      return false;
  auto end = s.buffer.find("\r\n\r\n");
  if (end == std::string::npos || s.buffer.rfind("HTTP/1.1 101", 0) != 0)
    return false;
  s.buffer.erase(0, end + 4);
  return true;
}

struct close_seen {
  uint16_t code = 0; ///< 0: the connection ended without a close frame
  std::string reason;
};

// Reads server frames (unmasked) until a close frame; skips the rest.
close_seen read_until_close(test::raw_socket& s) {
  // The small city's snapshot is a few hundred frames at most.
  constexpr size_t max_frames = 100000;
  for (size_t n = 0; n < max_frames; ++n) {
    auto need = [&s](size_t bytes) {
      while (s.buffer.size() < bytes)
        if (!s.receive_more())
          return false;
      return true;
    };
    if (!need(2))
      return {};
    auto byte = [&s](size_t i) { return static_cast<uint8_t>(s.buffer[i]); };
    uint8_t opcode = byte(0) & 0x0F;
    uint64_t length = byte(1) & 0x7F;
    size_t header = 2;
    if (length == 126 || length == 127) {
      size_t width = length == 126 ? 2 : 8;
      if (!need(2 + width))
        return {};
      length = 0;
      for (size_t i = 0; i < width; ++i)
        length = (length << 8) | byte(2 + i);
      header += width;
    }
    if (!need(header + length))
      return {};
    auto payload = s.buffer.substr(header, length);
    s.buffer.erase(0, header + length);
    if (opcode != op_close)
      continue;
    close_seen result;
    if (payload.size() >= 2)
      result.code
          = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8)
                                  | static_cast<uint8_t>(payload[1]));
    result.reason = payload.size() > 2 ? payload.substr(2) : std::string{};
    return result;
  }
  return {};
}

struct bad_frame {
  const char* what;
  std::string bytes;
  uint16_t expected_code;
};

} // namespace

TEST_CASE("malformed and oversized frames on a raw socket get clear close "
          "codes while other viewers keep streaming",
          "[viz][network]") {
  test::served_twin served;
  auto lamp = served.city.things.front().id;
  REQUIRE(lamp.kind == twin::entity_kind::street_lamp);
  auto lamp_urn = twin::to_urn(lamp, served.city.name);

  // The well-behaved viewer: records the last dim level (in hundredths)
  // it saw for the lamp after its snapshot, and leaves at `last_step`.
  constexpr int last_step = 99;
  std::atomic<bool> snapshot_done{false};
  std::atomic<int> seen{-1};
  ws_outcome good_outcome;
  std::thread good{[&] {
    good_outcome = run_ws_client(
        served.url("format=json&kinds=street_lamp"),
        [&](const std::string& payload, bool) {
          auto msg = nlohmann::json::parse(payload, nullptr, false);
          if (msg.is_discarded())
            return true;
          if (msg["type"] == "snapshot_end")
            snapshot_done = true;
          if (msg["type"] != "deltas" || msg["snapshot"] == true)
            return true;
          for (auto& d : msg["deltas"])
            if (d["id"] == lamp_urn)
              seen = static_cast<int>(std::lround(
                  d["attributes"]["dim_level"].get<double>() * 100));
          return seen != last_step;
        },
        std::chrono::seconds{60});
  }};
  REQUIRE(wait_until([&] { return snapshot_done.load(); }));

  // The server takes messages up to 4 KiB (stream_config).
  const std::vector<bad_frame> cases = {
      {"an unmasked client frame",
       client_frame(fin | op_text, R"({"type":"filter","query":""})", false),
       close_code::protocol_error},
      {"a reserved opcode", client_frame(fin | op_reserved, "hi"),
       close_code::protocol_error},
      {"a reserved bit without an extension",
       client_frame(fin | rsv1 | op_text, "{}"), close_code::protocol_error},
      {"text that is not UTF-8",
       client_frame(fin | op_text, "{\"a\":\"\xff\xfe\"}"),
       close_code::invalid_payload},
      // Only the header is sent: the server must not wait for the payload.
      {"a length field claiming 5000 bytes",
       client_frame(fin | op_text, "", true, 5000),
       close_code::message_too_big},
      {"a length field claiming 1 TiB",
       client_frame(fin | op_binary, "", true, uint64_t{1} << 40),
       close_code::message_too_big},
      {"a binary frame", client_frame(fin | op_binary, "\x01\x02\x03"),
       close_code::unsupported_data},
      {"a fragmented control frame", client_frame(op_ping, "ping"),
       close_code::protocol_error},
  };
  int step = 0;
  for (const auto& c : cases) {
    INFO(c.what);
    test::raw_socket s{served.server.port()};
    REQUIRE(handshake(s, "format=json&kinds=street_lamp"));
    REQUIRE(s.send_all(c.bytes));
    auto closed = read_until_close(s);
    CHECK(closed.code == c.expected_code);
    CHECK_FALSE(closed.reason.empty());
    // Meanwhile the good viewer keeps streaming: the next reading reaches
    // it (dim levels 0.01, 0.02, ...; times rising, so none is stale).
    ++step;
    served.observe(lamp, twin::quantity::dim_level, step / 100.0, 1000 * step);
    CHECK(wait_until([&] { return seen == step; }));
  }
  served.observe(lamp, twin::quantity::dim_level, last_step / 100.0,
                 1000 * (step + 1));
  good.join();
  CHECK(good_outcome.error.empty());
  CHECK(good_outcome.close_code == 0); // it left on its own, unrefused
  CHECK(seen == last_step);

  // Every broken connection is counted once it is gone: at once for the
  // frames WebSocket++ fails, after the client's answer (here: its socket
  // closing) for the binary frame the stream refuses.
  nlohmann::json stats;
  CHECK(wait_until([&] {
    stats = nlohmann::json::parse(
        test::http_get(served.server.port(), "/api/stream"), nullptr, false);
    return stats.is_object() && stats["clients_open"] == 0;
  }));
  INFO(stats.dump());
  // Unmasked, reserved opcode, reserved bit, not UTF-8, fragmented ping.
  CHECK(stats["protocol_errors"] == 5);
  CHECK(stats["oversized"] == 2);
  CHECK(stats["bad_messages"] == 1); // the binary frame
  CHECK(stats["clients_opened"] == cases.size() + 1);
}
