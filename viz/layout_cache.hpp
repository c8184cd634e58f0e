// viz/layout_cache.hpp
#pragma once

#include "viz/city_layout.hpp"
#include "viz/stream_filter.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace citytwin::viz {

/// The layout frames of the few filters in use, each rendered once and
/// shared by every viewer with that filter: rendering the demo city's
/// layout per viewer cost the server thread a megabyte and milliseconds
/// each, and 500 viewers held 500 copies. Shared, a frame is stored once
/// by the hub and once by the WebSocket server however many viewers it
/// is queued on.
class layout_cache {
public:
  layout_cache(std::shared_ptr<const city_layout> layout, size_t max_entries);

  /// The layout frame for `filter` (only its `selection_key` matters).
  std::shared_ptr<const std::string> get(const stream_filter& filter);

  /// Renders done since construction (cache misses).
  size_t num_renders() const {
    return num_renders_;
  }

private:
  std::shared_ptr<const city_layout> layout_;
  size_t max_entries_;
  /// Most recently used last.
  std::vector<std::pair<std::string, std::shared_ptr<const std::string>>>
      entries_;
  size_t num_renders_ = 0;
};

} // namespace citytwin::viz
