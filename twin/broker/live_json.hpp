// twin/broker/live_json.hpp
#pragma once

// A live entity written as NGSI-LD JSON text straight from its typed
// state. A page of query results used to build each entity as a JSON
// document, filter it, dump it and free it again: most of a query's time
// went to those allocations. This writes the same JSON without them.

#include "twin/broker/live_entity.hpp"
#include "twin/broker/ngsi_entity.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace citytwin::broker {

/// Appends the entity as
/// `render_entity(render_live(id, record), attrs, format, sys_attrs)`
/// would dump it: the same members in the same order, the same values
/// (doubles possibly in shorter text, see twin/json_text.hpp). Returns false and
/// appends nothing when the record has extras (attributes a client added),
/// which only the document path renders.
bool append_live_entity(std::string& out, std::string_view id,
                        const live_record& record,
                        const std::vector<std::string>& attrs,
                        entity_format format, bool sys_attrs);

} // namespace citytwin::broker
