// tests/viz/viewer_probe.hpp: small tools of the viewer port's security
// tests: raw WebSocket viewers that never read, bounded waits, RSS.
#pragma once

#include "raw_socket.hpp"

#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

namespace citytwin::test {

/// Polls `done` until it holds or `limit` passes; true if it held.
inline bool wait_until(const std::function<bool()>& done,
                       std::chrono::milliseconds limit
                       = std::chrono::seconds(10)) {
  constexpr auto poll = std::chrono::milliseconds(5);
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

/// Upgrades a raw socket to a WebSocket on /ws?`query`; false unless the
/// server answers 101. Bytes after the response stay in the buffer.
inline bool ws_handshake(raw_socket& s, const std::string& query) {
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
  return s.buffer.rfind("HTTP/1.1 101", 0) == 0;
}

/// A masked client text frame (payload < 126 bytes), key 1,2,3,4.
inline std::string ws_text(const std::string& payload) {
  std::string result{"\x81"};
  result += static_cast<char>(0x80 | payload.size());
  const char key[4] = {1, 2, 3, 4};
  result.append(key, 4);
  for (size_t i = 0; i < payload.size(); ++i)
    result += static_cast<char>(payload[i] ^ key[i % 4]);
  return result;
}

/// This process's resident memory in bytes (VmRSS), 0 if unknown.
inline size_t rss_bytes() {
  std::ifstream in{"/proc/self/status"};
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      size_t kib = 0;
      in >> kib;
      return kib * 1024;
    }
    std::getline(in, key);
  }
  return 0;
}

} // namespace citytwin::test
