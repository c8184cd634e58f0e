// tests/test_system.hpp
#pragma once

#include "actors/runtime.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

#include <memory>

namespace citytwin::test {

/// An actor system as `serve` configures it (2 workers, work sharing),
/// for tests whose actors are not the subject (a broker's TENANTs).
struct test_system {
  test_system() {
    REQUIRE_FALSE(actors::configure(cfg, {"sharing", 2}));
    sys = std::make_unique<caf::actor_system>(cfg);
  }
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
};

} // namespace citytwin::test
