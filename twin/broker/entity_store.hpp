// twin/broker/entity_store.hpp
#pragma once

// One tenant's NGSI-LD entities, and the indexes that let a query touch
// what it returns rather than the whole city: by id (the map's order, which
// is also the order of pages), by type, and an R-tree over the `location`
// of every entity. Two kinds of entries:
// - entities created through the API are immutable JSON documents behind
//   shared pointers (a writer copies, changes and swaps), with their
//   location parsed once when written;
// - live twin entities hold the typed state their TENANT last received
//   (`live_record`); their JSON is rendered when someone reads it.
// Every write returns an `entity_change` that the subscriptions match.
// Plain state without locks: one owner (a tenant's TENANT actor) at a time.

#include "twin/broker/live_entity.hpp"
#include "twin/broker/ngsi_entity.hpp"
#include "twin/entity_kind.hpp"

#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <caf/expected.hpp>

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace citytwin::broker {

/// The error for an id the tenant does not hold. Also what a caller gets
/// for an entity it may not read: the answer must not tell the two apart.
caf::error entity_not_found(std::string_view id);


class q_query;
struct geo_query;

using entity_ptr = std::shared_ptr<const json>;

/// What one write did, for subscriptions and counters.
struct entity_change {
  enum class kind : uint8_t { created, updated, deleted };
  kind what = kind::updated;
  std::string id;
  std::vector<std::string> types;
  std::vector<std::string> created_attrs;
  std::vector<std::string> updated_attrs;
  std::vector<std::string> deleted_attrs;
  entity_ptr entity;   ///< after the change (before it, for deletions)
  entity_ptr previous; ///< before the change; null on creation
  /// Updates this change stands for (more than 1 when merged upstream).
  uint64_t weight = 1;
};

/// The types of an entity document (`type` may be a string or a list).
std::vector<std::string> types_of(const json& entity);

/// Which entities a query selects (NGSI-LD 5.7.2).
struct entity_filter {
  std::vector<std::string> ids;
  std::optional<std::regex> id_pattern;
  std::vector<std::string> types;
  std::vector<std::string> attrs; ///< at least one of them present
  const q_query* q = nullptr;
  const geo_query* geo = nullptr;
  /// May the caller see entities of this type? Unset: everything.
  std::function<bool(std::string_view type)> visible;

  bool matches(const json& entity) const;
};

class entity_store {
public:
  /// POST /entities: errc already_exists if the id is taken.
  caf::expected<entity_change> create(json entity);

  /// The entity, or not_found.
  caf::expected<entity_ptr> get(std::string_view id) const;

  /// An entity as held: a stored document, or a live entity's typed state
  /// (copied, about 150 bytes), rendered by whoever reads it.
  struct item {
    std::string id;
    entity_ptr doc;                  ///< null for live entities
    std::optional<live_record> live; ///< set for live entities
    /// The document; rendered for live entities.
    json document() const;
    /// The same, shared: a stored document is not copied.
    entity_ptr shared_document() const;
  };

  /// The entity as held, or not_found.
  caf::expected<item> find(std::string_view id) const;

  /// True if the id is a live twin entity (structure owned by the twin).
  bool is_live(std::string_view id) const;

  struct query_result {
    /// The page's documents, the caller's to render (and move from):
    /// live entities are rendered straight into them.
    std::vector<json> entities;
    size_t total = 0; ///< all matches, for NGSILD-Results-Count
  };

  /// Matching entities in id order, `offset`/`limit` applied. Without
  /// `count_all` the scan stops at `offset + limit` matches and `total`
  /// counts only those.
  query_result query(const entity_filter& filter, size_t offset, size_t limit,
                     bool count_all = true) const;

  struct page {
    std::vector<item> items;
    size_t total = 0; ///< as in query_result
  };

  /// `query` without rendering: the caller writes each item as it needs.
  page query_page(const entity_filter& filter, size_t offset, size_t limit,
                  bool count_all = true) const;

  /// POST /entities/{id}/attrs: appends, or keeps existing ones when
  /// `no_overwrite` (their names land in `not_updated`).
  caf::expected<entity_change> append(std::string_view id, const json& attrs,
                                      bool no_overwrite,
                                      std::vector<std::string>& not_updated);

  /// PATCH /entities/{id}/attrs: replaces attributes that exist; the
  /// others land in `not_updated`.
  caf::expected<entity_change> update(std::string_view id, const json& attrs,
                                      std::vector<std::string>& not_updated);

  /// PATCH /entities/{id}/attrs/{name}: merges the given members into the
  /// attribute (partial update); not_found if it is missing.
  caf::expected<entity_change> update_attribute(std::string_view id,
                                                std::string_view name,
                                                const json& members);

  /// DELETE /entities/{id}/attrs/{name}.
  caf::expected<entity_change> remove_attribute(std::string_view id,
                                                std::string_view name);

  /// PATCH /entities/{id}: RFC 7396 merge; a null attribute deletes it.
  caf::expected<entity_change> merge(std::string_view id, const json& attrs);

  /// PUT /entities/{id}: replaces every attribute, keeps id and createdAt.
  caf::expected<entity_change> replace(std::string_view id, json entity);

  /// DELETE /entities/{id}.
  caf::expected<entity_change> remove(std::string_view id);

  /// A live twin entity with its initial state.
  struct live_seed {
    std::string id;
    twin::entity_state state;
    live_geometry where;
  };

  /// Adds live twin entities (the seed of a whole city): the
  /// location index is bulk-loaded once, which at a million entities takes
  /// a fraction of inserting them one by one.
  void add_live(std::vector<live_seed> seeds);

  /// Replaces the state of a live twin entity (a delta), or adds it
  /// without a location if the twin created it after the seed. Its
  /// documents are rendered only with `render` (someone subscribes).
  /// already_exists for an id the API created.
  caf::expected<entity_change> update_live(std::string_view id,
                                           const twin::entity_state& state,
                                           int64_t at_ms, bool render);

  /// Entity count per type, and the attribute names seen per type.
  struct type_info {
    size_t count = 0;
    std::vector<std::string> attributes;
  };
  std::map<std::string, type_info> types() const;

  size_t size() const;

  /// The documents of every API entity (not the live ones), in id order.
  std::vector<json> stored_documents() const;

private:
  using box = boost::geometry::model::box<
      boost::geometry::model::point<double, 2, boost::geometry::cs::cartesian>>;

  struct entry {
    entity_ptr doc;                  ///< API entities
    std::optional<live_record> live; ///< live twin entities
    /// The parsed `location` of an API entity; null if it has none.
    std::shared_ptr<const geo_shape> location;
  };
  using map_type = std::map<std::string, entry, std::less<>>;
  using geo_value = std::pair<box, const std::string*>;
  using geo_index
      = boost::geometry::index::rtree<geo_value,
                                      boost::geometry::index::quadratic<16>>;

  // Runs `change(copy)` on a copy of an existing entity and swaps it in.
  template <class F>
  caf::expected<entity_change> modify(std::string_view id, F&& change);

  static std::vector<std::string> entry_types(const entry& e);
  // Geometry of `location`, parsed or computed; empty for none.
  static std::optional<geo_shape> location_of(const entry& e);

  bool matches(const entity_filter& filter, const std::string& id,
               const entry& e) const;

  // Index maintenance.
  void index(const std::string& id, const entry& e);
  void unindex(const std::string& id, const entry& e);

  using node = map_type::value_type;
  struct by_id {
    bool operator()(const node* a, const node* b) const {
      return a->first < b->first;
    }
  };
  using node_list = std::vector<const node*>;

  // The entities of `type` in id order: the API's and the twin's merged.
  template <class F>
  void for_each_of_type(std::string_view type, F&& f) const;
  size_t count_of_type(std::string_view type) const;

  map_type entities_;
  /// API entities per type, in id order.
  std::map<std::string, std::set<const node*, by_id>, std::less<>> by_type_;
  /// Live entities per kind, in id order: 8 bytes per entity, since they
  /// come in bulk at the seed and are never deleted.
  std::array<node_list, twin::num_entity_kinds + 1> live_by_kind_;
  geo_index by_location_;
};

} // namespace citytwin::broker
