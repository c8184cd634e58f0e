// tests/viz/served_twin.hpp: a real twin of the small test city with the
// viewer stream on a WebSocket++ server on 127.0.0.1 (any free port), for
// the network tests of viz/.
#pragma once

#include "viz/live_stream.hpp"

#include "actors/runtime.hpp"
#include "actors/type_ids.hpp"
#include "test_data.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace citytwin::test {

struct served_twin {
  twin::city city;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  actors::twin_handles handles;
  viz::http_server server{nullptr};
  std::unique_ptr<viz::live_stream> stream;

  explicit served_twin(viz::live_stream_config config = {},
                       twin::city c = small_city())
    : city(std::move(c)) {
    REQUIRE_FALSE(actors::configure(cfg, {"sharing", 2}));
    sys = std::make_unique<caf::actor_system>(cfg);
    auto h = actors::spawn_twin(*sys, city, {1, 1});
    REQUIRE(h);
    handles = *h;
    stream
        = std::make_unique<viz::live_stream>(server, city, std::move(config));
    server.set_handler(stream->wrap([](const viz::http_request&) {
      return viz::http_response{404, "text/plain", "no"};
    }));
    std::string error;
    REQUIRE(server.start("127.0.0.1", 0, error));
    REQUIRE_FALSE(stream->subscribe(*sys, handles));
  }

  ~served_twin() {
    server.stop();
    stream->stop();
    actors::stop_twin(*sys, handles);
  }

  std::string url(const std::string& query) const {
    return "ws://127.0.0.1:" + std::to_string(server.port()) + "/ws?" + query;
  }

  /// Sends one reading to the twin, as an adapter would.
  void observe(twin::entity_id target, twin::quantity what, double value,
               twin::time_ms time) const {
    twin::reading r;
    r.target = target;
    r.time = time;
    r.value = value;
    r.what = what;
    caf::anon_send(handles.front, actors::observe_atom_v,
                   twin::reading_batch{r});
  }
};

} // namespace citytwin::test
