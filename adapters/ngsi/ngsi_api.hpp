// adapters/ngsi/ngsi_api.hpp
#pragma once

// The broker's HTTP face: the NGSI-LD core API subset under /ngsi-ld/v1,
// the open-data endpoint under /opendata/v1, and WebSocket delivery of
// subscriptions. See adapters/ngsi/README.md for the routes.

#include "adapters/broker/broker.hpp"
#include "adapters/ngsi/http_listener.hpp"

#include <memory>
#include <string>

namespace citytwin::ngsi {

class ngsi_api {
public:
  explicit ngsi_api(broker::broker& brk) : brk_(brk) {
  }

  /// Answers one HTTP request without blocking: what needs a tenant's
  /// state runs in its TENANT actor, which calls `reply`.
  void handle(http_request req, reply_fn reply);

  /// The same, waiting for the answer: for tests, fuzzers and benchmarks,
  /// never on an I/O thread.
  http_response handle_blocking(const http_request& req);

  /// Accepts WebSocket subscribers on
  /// `/ngsi-ld/v1/subscriptions/{id}/stream`.
  ws_upgrade_handler websocket();

  /// Broker counters in Prometheus text format.
  std::string render_prometheus() const;

private:
  void handle_ngsi(std::shared_ptr<const http_request> req,
                   std::string_view path, reply_fn done);

  broker::broker& brk_;
};

/// Serves the open-data endpoint (`/opendata/v1/...`); anonymous, rate
/// limited per client address, only what tenants publish as open data.
/// `path` points into `*req`.
void open_data(broker::broker& brk, std::shared_ptr<const http_request> req,
               std::string_view path, reply_fn done);

} // namespace citytwin::ngsi
