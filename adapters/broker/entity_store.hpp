// adapters/broker/entity_store.hpp
#pragma once

// One tenant's NGSI-LD entities. Entities are immutable JSON snapshots
// behind shared pointers: a reader takes a pointer under a shared lock and
// renders it outside; a writer copies, changes and swaps. Every write
// returns an `entity_change` that the subscriptions match against.

#include "adapters/broker/ngsi_entity.hpp"

#include <caf/expected.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <shared_mutex>
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

  /// True if the id is a live twin entity (structure owned by the twin).
  bool is_live(std::string_view id) const;

  struct query_result {
    std::vector<entity_ptr> entities;
    size_t total = 0; ///< all matches, for NGSILD-Results-Count
  };

  /// Matching entities in id order, `offset`/`limit` applied.
  query_result query(const entity_filter& filter, size_t offset,
                     size_t limit) const;

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

  /// Creates or changes a live twin entity (the mirror's path). `attrs`
  /// holds the changed attributes only.
  entity_change put_live(const std::string& id, const std::string& type,
                         const json& attrs);

  /// Entity count per type, and the attribute names seen per type.
  struct type_info {
    size_t count = 0;
    std::vector<std::string> attributes;
  };
  std::map<std::string, type_info> types() const;

  size_t size() const;

private:
  struct entry {
    entity_ptr doc;
    bool live = false;
  };
  using map_type = std::map<std::string, entry, std::less<>>;

  // Runs `change(copy)` on a copy of an existing entity and swaps it in.
  template <class F>
  caf::expected<entity_change> modify(std::string_view id, F&& change);

  mutable std::shared_mutex mtx_;
  map_type entities_;
};

} // namespace citytwin::broker
