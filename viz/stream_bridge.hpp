// viz/stream_bridge.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "viz/delta_queue.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <functional>
#include <memory>
#include <mutex>

namespace citytwin::viz {

/// Wakes the WebSocket server's thread when deltas wait in the inbox.
/// `detach` makes later wake-ups no-ops, so the server can stop while the
/// BRIDGE still receives deltas.
class stream_waker {
public:
  explicit stream_waker(std::function<void()> wake) : wake_(std::move(wake)) {
  }

  void wake() {
    std::lock_guard guard{mtx_};
    if (wake_)
      wake_();
  }

  void detach() {
    std::lock_guard guard{mtx_};
    wake_ = nullptr;
  }

private:
  std::mutex mtx_;
  std::function<void()> wake_;
};

/// State of the viewer stream's BRIDGE, a SUBSCRIBER of the twin: it
/// hands delta batches to the server thread through a coalescing inbox
/// and never waits for that thread.
struct stream_bridge_state {
  static inline const char* name = "viewer-bridge";
  std::shared_ptr<delta_inbox> inbox;
  std::shared_ptr<stream_waker> waker;

  /// Queues a batch and wakes the server if it was idle.
  void handle(const twin::delta_batch& batch) {
    if (inbox->push(batch))
      waker->wake();
  }
};

/// The behavior of the BRIDGE.
actors::subscriber_actor::behavior_type
stream_bridge(actors::subscriber_actor::stateful_pointer<stream_bridge_state>
                self,
              std::shared_ptr<delta_inbox> inbox,
              std::shared_ptr<stream_waker> waker);

} // namespace citytwin::viz
