// viz/shared_frames.hpp (C++17 only, see ws_server_config.hpp)
#pragma once

#include "viz/ws_server_config.hpp"

#include <map>
#include <memory>
#include <string>

namespace citytwin::viz::detail {

/// Frames encoded once and queued on any number of connections: a
/// complete, unmasked frame (as a server sends it) is a "prepared"
/// message, which `connection::send` queues as is, without the copy and
/// the UTF-8 check it makes of every other message. Used for the layout,
/// which every viewer with the same filter gets. Server thread only.
class shared_frames {
public:
  /// The frame of `payload`, encoded on first use; later calls with the
  /// same live payload return the same frame.
  message_ptr get(const std::shared_ptr<const std::string>& payload,
                  bool binary);

private:
  // By payload address; the weak pointer tells a live payload from a new
  // one at a reused address.
  struct entry {
    std::weak_ptr<const std::string> payload;
    bool binary = false;
    message_ptr frame;
  };
  std::map<const std::string*, entry> entries_;
};

} // namespace citytwin::viz::detail
