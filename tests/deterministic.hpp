// tests/deterministic.hpp
#pragma once

// A deterministic actor-system fixture for Catch2 (CAF's own test DSL needs
// CAF's runner). No threads: messages wait in the test coordinator's queue
// until the test runs it, and timers fire only after `advance_time`.

#include "actors/system_config.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <optional>

namespace citytwin::test {

struct deterministic_config : caf::actor_system_config {
  deterministic_config() {
    set("scheduler.policy", caf::atom("testing"));
    set("logger.inline-output", true);
    actors::register_types(*this);
  }
};

struct deterministic {
  deterministic_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched
    = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());

  // Drains all work, firing pending timeouts too: a request's timeout
  // holds a reference to its sender, and the system waits for every actor
  // to terminate. Bounded, because a ticking actor re-arms its timer.
  ~deterministic() {
    constexpr int max_rounds = 100;
    for (int round = 0; round < max_rounds; ++round) {
      sched.run();
      if (!sched.has_pending_timeout())
        break;
      sched.trigger_timeouts();
    }
  }

  /// Sends a request, runs everything, and returns the reply (or nullopt,
  /// recording the error in `last_error`).
  template <class T, class Handle, class... Ts>
  std::optional<T> ask(const Handle& dest, Ts&&... xs) {
    auto handle = self->request(dest, std::chrono::seconds(10),
                                std::forward<Ts>(xs)...);
    sched.run();
    std::optional<T> result;
    handle.receive([&](T& x) { result = std::move(x); },
                   [&](caf::error& err) { last_error = std::move(err); });
    return result;
  }

  caf::error last_error;
};

} // namespace citytwin::test
