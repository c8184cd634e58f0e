// adapters/ngsi/running_broker.hpp
#pragma once

// The data broker as `citytwin serve` runs it: the tenants file, the
// broker with the served city as one tenant's live entities, and the
// NGSI-LD API on its own port.

#include "actors/spawn_twin.hpp"
#include "adapters/archive/journal.hpp"
#include "twin/access.hpp"
#include "twin/city.hpp"

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace citytwin::broker {
class broker;
} // namespace citytwin::broker

namespace citytwin::ngsi {

struct broker_options {
  std::string access_file; ///< tenants, tokens, sharing; empty: no broker
  uint16_t port = 8081;
  size_t threads = 2;
  /// Where each tenant's space log lives (`<dir>/<tenant>/space.log`):
  /// the archive root of `serve --archive`; empty: API entities and
  /// subscriptions live in memory only.
  std::string state_dir;
  archive::journal_sync state_sync = archive::journal_sync::process;
};

void add_broker_options(CLI::App& cmd, broker_options& opts);

/// Reads the tenants file once for everything `serve` runs (broker and
/// viewer stream); nullptr without `--access`. Errors: the file's own, or
/// no tenant named like the served city.
caf::expected<std::shared_ptr<const twin::access_config>>
load_tenants(const broker_options& opts, const std::string& city);

class running_broker {
public:
  /// The broker, with the entities of `c` seeded into the tenant named
  /// like it; nullptr when `access` is (no tenants file was given). Needs
  /// no actors, so `serve` runs it on a thread of its own while the twin
  /// spawns: each takes seconds at a million entities.
  static std::unique_ptr<broker::broker>
  seed(std::shared_ptr<const twin::access_config> access, const twin::city& c);

  /// Mirrors the twin into the seeded tenant, hosts the other tenants'
  /// cities and starts the API on `host`. nullptr when `seeded` is.
  static caf::expected<std::unique_ptr<running_broker>>
  start(std::unique_ptr<broker::broker> seeded, const broker_options& opts,
        const std::string& host, caf::actor_system& sys,
        const actors::twin_handles& twin, const twin::city& c);

  ~running_broker();

  uint16_t port() const;

  /// The TENANT of `name`; an invalid handle for an unknown name.
  actors::tenant_actor tenant(const std::string& name) const;

  /// Keeps notifications off `port` (the viewer's), as off the API's own.
  void protect_port(uint16_t port);

  /// The broker's counters in Prometheus text.
  std::string metrics() const;

  /// Stops the API and the TENANTs; the broker's threads end on destruction.
  void stop();

  struct impl;

private:
  explicit running_broker(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

} // namespace citytwin::ngsi
