// twin/broker/ngsi_entity.hpp
#pragma once

// NGSI-LD entity documents as the broker keeps them: normalized JSON
// (every attribute an object with its `type`), short names as the client
// sent them. Validation here is what makes a fragment storable; the HTTP
// layer maps failures to BadRequestData.

#include "twin/wall_clock.hpp"

#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace citytwin::broker {

using json = nlohmann::json;

/// How an entity is rendered (NGSI-LD `options` / `format`).
enum class entity_format { normalized, concise, key_values };

/// True for a syntactically valid absolute URI usable as an entity id: a
/// scheme, no blanks or control characters, no path traversal (`..`,
/// `/`, `\`), at most 256 bytes.
bool valid_entity_id(std::string_view id);

/// True for an attribute or type name: a term (`[A-Za-z_][A-Za-z0-9_.-]*`)
/// or an absolute IRI, at most 256 bytes; none of `<>"'=;()` (they break
/// q and the URL grammar).
bool valid_name(std::string_view name);

/// Members of an entity that are not attributes.
bool is_reserved_member(std::string_view name);

/// Checks a whole entity for create/replace and returns it normalized:
/// `id` and `type` present and valid, every attribute valid. `@context`
/// is removed (the caller has handled it).
caf::expected<json> normalize_entity(const json& body);

/// Checks an attribute fragment (PATCH/POST attrs, merge) and returns it
/// normalized: an object of attributes, no `id`/`type` unless
/// `allow_id_type` (merge and upsert bodies carry them).
caf::expected<json> normalize_fragment(const json& body, bool allow_id_type);

/// Normalizes one attribute value given in normalized or concise form.
caf::expected<json> normalize_attribute(std::string_view name,
                                        const json& value);

/// The entity with only `attrs` kept (all if empty), in `format`, with
/// createdAt/modifiedAt if `sys_attrs`.
json render_entity(const json& entity, const std::vector<std::string>& attrs,
                   entity_format format, bool sys_attrs);

/// The same, moving out of `entity` instead of copying it (a page of
/// query results renders without a second copy of every member).
json render_entity(json&& entity, const std::vector<std::string>& attrs,
                   entity_format format, bool sys_attrs);

/// The attribute names of a stored entity.
std::vector<std::string> attribute_names(const json& entity);

// createdAt, modifiedAt and notifiedAt read twin's injectable wall clock.
using twin::iso_now;

} // namespace citytwin::broker
