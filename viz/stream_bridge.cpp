// viz/stream_bridge.cpp
#include "viz/stream_bridge.hpp"

namespace citytwin::viz {

actors::subscriber_actor::behavior_type
stream_bridge(actors::subscriber_actor::stateful_pointer<stream_bridge_state>
                self,
              std::shared_ptr<delta_inbox> inbox,
              std::shared_ptr<stream_waker> waker) {
  self->state.inbox = std::move(inbox);
  self->state.waker = std::move(waker);
  return {
    [self](const twin::delta_batch& batch) { self->state.handle(batch); },
  };
}

} // namespace citytwin::viz
