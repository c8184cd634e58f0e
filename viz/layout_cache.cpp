// viz/layout_cache.cpp
#include "viz/layout_cache.hpp"

#include <algorithm>

namespace citytwin::viz {

layout_cache::layout_cache(std::shared_ptr<const city_layout> layout,
                           size_t max_entries)
    : layout_(std::move(layout)),
      max_entries_(std::max<size_t>(1, max_entries)) {
}

std::shared_ptr<const std::string>
layout_cache::get(const stream_filter& filter) {
  auto key = selection_key(filter);
  auto i = std::find_if(entries_.begin(), entries_.end(),
                        [&key](const auto& e) { return e.first == key; });
  if (i != entries_.end()) {
    // Move to the back: most recently used.
    std::rotate(i, i + 1, entries_.end());
    return entries_.back().second;
  }
  if (entries_.size() >= max_entries_)
    entries_.erase(entries_.begin());
  ++num_renders_;
  entries_.emplace_back(std::move(key), std::make_shared<const std::string>(
                                            layout_->render(filter)));
  return entries_.back().second;
}

} // namespace citytwin::viz
