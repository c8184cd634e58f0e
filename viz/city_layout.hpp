// viz/city_layout.hpp
#pragma once

#include "twin/city.hpp"
#include "viz/stream_filter.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace citytwin::viz {

/// The static picture of a city a viewer draws first: road segments with
/// their geometry, intersections, and the lamps, bins and sensors with
/// their positions. Built once at start; read-only afterwards.
class city_layout {
public:
  explicit city_layout(const twin::city& c);

  /// One entity's place: its box (a point for placed things) and its
  /// pre-rendered JSON object for layout frames.
  struct item {
    twin::entity_id id;
    geo_box box;
    std::string json;
  };

  const std::string& city() const {
    return city_;
  }

  /// Every entity, grouped by kind in `all_entity_kinds` order.
  const std::vector<item>& items() const {
    return items_;
  }

  /// The box of an entity; nullptr for ids the city does not have.
  const geo_box* where(twin::entity_id id) const;

  /// The index of entity `id` in `items()`; `items().size()` for ids the
  /// city does not have.
  size_t position(twin::entity_id id) const;

  /// True if the filter lets entity `id` through.
  bool accepts(const stream_filter& filter, twin::entity_id id) const;

  /// The layout frame for a viewer with `filter`, as JSON text:
  /// `{"type":"layout","city":..,"center":[lon,lat],"bounds":[[..],[..]],
  ///   "segments":[..],"intersections":[..],"things":[..]}`.
  std::string render(const stream_filter& filter) const;

private:
  std::string city_;
  twin::geo_point center_;
  geo_box bounds_;
  std::vector<item> items_;
  std::unordered_map<twin::entity_id, size_t> index_;
};

} // namespace citytwin::viz
