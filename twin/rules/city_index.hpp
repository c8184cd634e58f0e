// twin/rules/city_index.hpp
#pragma once

#include "twin/city.hpp"
#include "twin/entity_id.hpp"
#include "twin/geo.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace citytwin::rules {

/// The neighbourhoods rules ask about, built once per city: which
/// segments enter and leave an intersection, what stands beside a segment,
/// where every entity is, and the entities within a radius or nearest to
/// a point (an R-tree on a local metric projection). Read-only after
/// construction, so rule engines on several threads share one.
class city_index {
public:
  explicit city_index(const twin::city& city);
  ~city_index();

  city_index(const city_index&) = delete;
  city_index& operator=(const city_index&) = delete;

  const twin::city& city() const {
    return city_;
  }

  /// True if the city has this entity.
  bool contains(twin::entity_id id) const;

  /// Where an entity is: an intersection's or placement's position, the
  /// middle of a segment's polyline; nullopt for an unknown id.
  std::optional<twin::geo_point> position(twin::entity_id id) const;

  /// The segment a placed thing stands beside; nullopt for roads and
  /// unknown ids.
  std::optional<twin::entity_id> segment_of(twin::entity_id id) const;

  /// Segments entering / leaving an intersection, in the graph's order.
  std::vector<twin::entity_id> approaching(twin::entity_id intersection) const;
  std::vector<twin::entity_id> leaving(twin::entity_id intersection) const;

  /// Things of `kind` standing beside `segment`, by number.
  std::vector<twin::entity_id> along(twin::entity_id segment,
                                     twin::entity_kind kind) const;

  /// Entities of `kind` within `radius_m` of `where`, nearest first.
  std::vector<twin::entity_id> within(twin::geo_point where, double radius_m,
                                      twin::entity_kind kind) const;

  /// The `k` entities of `kind` nearest to `where`, nearest first,
  /// leaving out `except` (the anchor itself).
  std::vector<twin::entity_id> nearest(twin::geo_point where, uint32_t k,
                                       twin::entity_kind kind,
                                       twin::entity_id except) const;

  /// Every entity of `kind`, by number.
  std::vector<twin::entity_id> all(twin::entity_kind kind) const;

  /// Number of signal phases of an intersection (0: not signalised).
  uint8_t num_phases(twin::entity_id intersection) const;

private:
  struct spatial; // the R-trees, one per kind
  const twin::city& city_;
  std::unique_ptr<spatial> spatial_;
  // placement index by packed id; segments' things by segment number.
  std::unordered_map<uint64_t, size_t> placement_by_id_;
  std::unordered_map<uint32_t, std::vector<twin::entity_id>> things_by_segment_;
};

} // namespace citytwin::rules
