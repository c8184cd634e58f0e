// tests/running_twin.hpp
#pragma once

// A twin of the small test city on a threaded actor system, for tests that
// talk to it from outside (HTTP, MQTT): booted on construction, stopped on
// destruction, also when a REQUIRE fails half-way.

#include "actors/runtime.hpp"
#include "actors/spawn_twin.hpp"
#include "test_data.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <catch2/catch.hpp>

#include <memory>

namespace citytwin::test {

struct running_twin {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  twin::city city = small_city();
  actors::twin_handles handles;

  running_twin() {
    REQUIRE_FALSE(actors::configure(cfg, {"sharing", 2}));
    sys = std::make_unique<caf::actor_system>(cfg);
    auto h = actors::spawn_twin(*sys, city, {2, 0});
    REQUIRE(h);
    handles = *h;
  }

  ~running_twin() {
    actors::stop_twin(*sys, handles);
  }

  running_twin(const running_twin&) = delete;
  running_twin& operator=(const running_twin&) = delete;
};

} // namespace citytwin::test
