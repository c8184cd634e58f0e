// adapters/ingest/entity_creator.hpp
#pragma once

#include "actors/interfaces.hpp"
#include "adapters/ingest/defaults.hpp"
#include "adapters/ingest/reject_reason.hpp"
#include "twin/entity_id.hpp"
#include "twin/quantity.hpp"

#include <caf/error.hpp>

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace citytwin::ingest {

/// What the ingest does with an external id no binding knows.
enum class unknown_id_policy : uint8_t {
  /// Drop its readings and count them (`unknown_entity`).
  reject,
  /// Create a sensor entity of the kind its topic names and bind the id
  /// to it for good.
  create,
};

/// `reject` or `create`.
std::optional<unknown_id_policy> parse_unknown_id_policy(std::string_view);

/// The entity kind a topic's `<kind>` level names: a kind (`parking_sensor`),
/// its NGSI-LD type (`ParkingSensor`), or a short name used by feeds
/// (`parking`, `traffic`, ...; the table is in adapters/README.md).
std::optional<twin::entity_kind> kind_of_topic_level(std::string_view level);

/// How unknown ids become entities.
struct creation_config {
  unknown_id_policy policy = unknown_id_policy::reject;
  /// Most entities created; ids beyond are rejected as `create_limit`.
  size_t max_created = defaults::max_created;
  /// The first number to give per kind (index_of), above every number
  /// the twin has: `actors::directory::next_number`.
  std::array<uint32_t, twin::num_entity_kinds> next_number{};
  /// Tells the twin about a new entity. Called on the decoder's thread
  /// before any reading of the entity leaves it, so the entity exists
  /// when its first reading arrives if both travel to the same ROUTER
  /// (`announce_to_routers`). Must not block.
  std::function<void(twin::entity_id)> announce;
  /// Ids created before a restart (`created_ids`), bound again from the
  /// start; they count towards `max_created`, and new numbers go above
  /// them.
  std::vector<std::pair<std::string, twin::entity_id>> known;
  /// Records a new binding for restarts before the entity is announced;
  /// an error (disk full) refuses the creation (`not_recorded`). Unset:
  /// bindings live as long as the decoder.
  std::function<caf::error(std::string_view external, twin::entity_id)> keep;

  /// errc::invalid_config if `create` has nobody to announce to.
  caf::error validate() const;
};

/// An announcer that sends `(create_atom, id)` to `routers[shard_of(id)]`
/// with `caf::anon_send`: the ROUTER that will also get the entity's
/// readings from the shard batcher.
std::function<void(twin::entity_id)>
announce_to_routers(std::vector<actors::router_actor> routers);

/// How an external id was resolved.
struct resolution {
  twin::entity_id id;
  bool created = false;             ///< a new entity, announced just now
  std::optional<rejection> refused; ///< set if there is no entity
};

/// Binds external ids that no binding table knows (a SenML device prefix,
/// an NGSI-LD id) to sensor entities created for them, under the `create`
/// policy: a fresh number per kind, above the twin's own, announced once.
/// The bindings live as long as the decoder that owns this, unless
/// `keep` records them and a restarted server passes them back as
/// `known`. Not thread-safe: one per decoder.
class entity_creator {
public:
  explicit entity_creator(creation_config config);

  /// True under the `create` policy.
  bool enabled() const {
    return config_.policy == unknown_id_policy::create;
  }

  /// The entity of `external`, which arrived on a topic whose kind level
  /// is `kind_level` (empty: no topic) with a reading of `what`. A bound
  /// id resolves to its entity whatever the topic says. Refusals:
  /// unknown_entity (policy `reject`, or no topic), bad_name (an empty or
  /// too long id), not_creatable (the kind level names no sensor kind),
  /// unknown_quantity (the kind has no `what`), create_limit.
  resolution resolve(std::string_view external, std::string_view kind_level,
                     twin::quantity what);

  /// Entities created so far.
  size_t num_created() const {
    return num_created_;
  }

private:
  struct string_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };

  creation_config config_;
  std::unordered_map<std::string, twin::entity_id, string_hash,
                     std::equal_to<>>
      bound_;
  size_t num_created_ = 0;
};

} // namespace citytwin::ingest
