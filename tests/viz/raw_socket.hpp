// tests/viz/raw_socket.hpp: a blocking TCP client on 127.0.0.1 for tests
// that must send what no WebSocket library would (malformed frames), and a
// plain HTTP GET. Every read times out, so no test can hang on a socket.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace citytwin::test {

class raw_socket {
public:
  /// Connects to 127.0.0.1:`port`; reads give up after `timeout_s`. A
  /// `receive_buffer` > 0 shrinks the socket's receive buffer (before
  /// connecting, so the advertised window stays small): a viewer that
  /// reads slowly, or never.
  explicit raw_socket(uint16_t port, long timeout_s = 5,
                      int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0)
      return;
    if (receive_buffer > 0)
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer,
                   sizeof receive_buffer);
    timeval tv{};
    tv.tv_sec = timeout_s;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr)
        != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

  ~raw_socket() {
    if (fd_ >= 0)
      ::close(fd_);
  }

  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  bool ok() const {
    return fd_ >= 0;
  }

  bool send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0)
        return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  /// Appends what arrives to `buffer`; false at end of stream, on a
  /// timeout or an error.
  bool receive_more() {
    char chunk[16384];
    auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0)
      return false;
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }

  /// Received and not yet consumed.
  std::string buffer;

private:
  int fd_ = -1;
};

/// A status and body; status 0 when no response arrived.
struct http_result {
  int status = 0;
  std::string body;
};

/// Reads a response from `s` until the server closes the connection (a
/// few MB at most, so the loop ends): status and body.
inline http_result read_response(raw_socket& s) {
  constexpr size_t max_bytes = 16 * 1024 * 1024;
  while (s.buffer.size() < max_bytes && s.receive_more()) {
  }
  auto body = s.buffer.find("\r\n\r\n");
  constexpr std::string_view version = "HTTP/1.1 ";
  if (s.buffer.rfind(version, 0) != 0 || body == std::string::npos)
    return {};
  return {std::atoi(s.buffer.c_str() + version.size()),
          s.buffer.substr(body + 4)};
}

/// Sends `request` (a whole HTTP request) to 127.0.0.1:`port` and reads
/// the response until the server closes the connection.
inline http_result http_exchange(uint16_t port, const std::string& request) {
  raw_socket s{port};
  if (!s.ok() || !s.send_all(request))
    return {};
  return read_response(s);
}

/// `GET path` on 127.0.0.1:`port`, with extra header lines (each ending
/// in CRLF).
inline http_result http_fetch(uint16_t port, const std::string& path,
                              const std::string& headers = {}) {
  return http_exchange(port, "GET " + path
                               + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               + headers + "Connection: close\r\n\r\n");
}

/// The body of `GET path` if it answers 200, else empty.
inline std::string http_get(uint16_t port, const std::string& path) {
  auto result = http_fetch(port, path);
  return result.status == 200 ? result.body : std::string{};
}

} // namespace citytwin::test
