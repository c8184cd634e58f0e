// adapters/ngsi/http_client.hpp
#pragma once

// A blocking HTTP/1.1 client with one kept-alive connection, for tests,
// benchmarks and scripts that drive the NGSI-LD API. Not for use inside
// actors or I/O threads.

#include <caf/expected.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace citytwin::ngsi {

struct client_response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers; ///< lower case
  std::string body;

  /// The first header of that (lower-case) name, or "".
  std::string header(std::string_view name) const;
};

class http_client {
public:
  http_client(std::string host, uint16_t port,
              std::chrono::milliseconds timeout = std::chrono::seconds{5});
  ~http_client();

  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Sends one request (reconnecting if the server closed the
  /// connection) and reads the answer. `headers` are sent as given; a body
  /// gets a Content-Length.
  caf::expected<client_response>
  request(const std::string& method, const std::string& target,
          const std::vector<std::pair<std::string, std::string>>& headers = {},
          const std::string& body = {});

  /// One request to send with `pipeline`.
  struct pending {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
  };

  /// HTTP/1.1 pipelining: writes every request, then reads the answers in
  /// order, on one connection. For load generation; an error fails all.
  caf::expected<std::vector<client_response>>
  pipeline(const std::vector<pending>& requests);

  /// Connections opened so far (1 while keep-alive holds).
  size_t connects() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace citytwin::ngsi
