// twin/broker/entity_store.cpp
#include "twin/broker/entity_store.hpp"

#include "twin/broker/broker_error.hpp"
#include "twin/broker/geo_query.hpp"
#include "twin/broker/ngsi_query.hpp"
#include "twin/iso_time.hpp"
#include "twin/entity_kind.hpp"

#include <boost/function_output_iterator.hpp>
#include <boost/geometry.hpp>
#include <boost/geometry/index/predicates.hpp>

#include <algorithm>
#include <iterator>
#include <mutex>

namespace citytwin::broker {

namespace bgi = boost::geometry::index;

caf::error entity_not_found(std::string_view id) {
  return make_problem(broker_errc::not_found,
                      "no entity '" + std::string{id} + "'");
}

namespace {

caf::error not_found(std::string_view id) {
  return entity_not_found(id);
}

bool contains(const std::vector<std::string>& xs, std::string_view x) {
  return std::find(xs.begin(), xs.end(), x) != xs.end();
}

caf::error twin_owned(std::string_view name) {
  return make_problem(broker_errc::not_supported,
                      "attribute '" + std::string{name}
                          + "' of a live twin entity is the twin's");
}

} // namespace

std::vector<std::string> types_of(const json& entity) {
  std::vector<std::string> result;
  auto i = entity.find("type");
  if (i == entity.end())
    return result;
  if (i->is_string())
    result.push_back(i->get<std::string>());
  else if (i->is_array())
    for (const auto& t : *i)
      if (t.is_string())
        result.push_back(t.get<std::string>());
  return result;
}

bool entity_filter::matches(const json& entity) const {
  const auto& id = entity["id"].get_ref<const std::string&>();
  if (!ids.empty() && !contains(ids, id))
    return false;
  if (id_pattern && !std::regex_search(id, *id_pattern))
    return false;
  auto entity_types = types_of(entity);
  if (!types.empty()
      && std::none_of(entity_types.begin(), entity_types.end(),
                      [&](const auto& t) { return contains(types, t); }))
    return false;
  if (visible
      && std::none_of(entity_types.begin(), entity_types.end(),
                      [&](const auto& t) { return visible(t); }))
    return false;
  if (!attrs.empty()
      && std::none_of(attrs.begin(), attrs.end(),
                      [&](const auto& a) { return entity.contains(a); }))
    return false;
  if (q && !q->matches(entity))
    return false;
  if (geo && !geo->matches(entity))
    return false;
  return true;
}

// -- entries ------------------------------------------------------------------

std::vector<std::string> entity_store::entry_types(const entry& e) {
  if (e.live)
    return {std::string{twin::ngsi_type(e.live->state.id.kind)}};
  return types_of(*e.doc);
}

std::optional<geo_shape> entity_store::location_of(const entry& e) {
  if (e.live)
    return e.live->where.known ? std::optional{live_shape(e.live->where)}
                               : std::nullopt;
  if (e.location)
    return *e.location;
  return std::nullopt;
}

namespace {

// The parsed `location` of a document, if it holds a valid geometry.
std::shared_ptr<const geo_shape> parse_location(const json& doc) {
  auto i = doc.find("location");
  if (i == doc.end() || !i->is_object())
    return nullptr;
  auto value = i->find("value");
  if (value == i->end())
    return nullptr;
  auto shape = parse_geo_shape(*value);
  if (!shape)
    return nullptr;
  return std::make_shared<const geo_shape>(std::move(*shape));
}

} // namespace

void entity_store::index(const std::string& id, const entry& e) {
  // The map's node holds the key: find it from the key's address.
  const auto* n = &*entities_.find(id);
  if (e.live) {
    auto& list = live_by_kind_[static_cast<size_t>(e.live->state.id.kind)];
    list.insert(std::lower_bound(list.begin(), list.end(), n, by_id{}), n);
  } else {
    for (auto& t : entry_types(e))
      by_type_[t].insert(n);
  }
  if (auto shape = location_of(e)) {
    auto b = bounds(*shape);
    by_location_.insert(
        {box{{b.min_lon, b.min_lat}, {b.max_lon, b.max_lat}}, &n->first});
  }
}

void entity_store::unindex(const std::string& id, const entry& e) {
  const auto* n = &*entities_.find(id);
  if (e.live) {
    auto& list = live_by_kind_[static_cast<size_t>(e.live->state.id.kind)];
    auto i = std::lower_bound(list.begin(), list.end(), n, by_id{});
    if (i != list.end() && *i == n)
      list.erase(i);
  } else {
    for (auto& t : entry_types(e)) {
      auto i = by_type_.find(t);
      if (i == by_type_.end())
        continue;
      i->second.erase(n);
      if (i->second.empty())
        by_type_.erase(i);
    }
  }
  if (auto shape = location_of(e)) {
    auto b = bounds(*shape);
    by_location_.remove(geo_value{
        box{{b.min_lon, b.min_lat}, {b.max_lon, b.max_lat}}, &n->first});
  }
}

template <class F>
void entity_store::for_each_of_type(std::string_view type, F&& f) const {
  static const node_list none;
  const node_list* live = &none;
  if (auto kind = twin::parse_ngsi_type(type))
    live = &live_by_kind_[static_cast<size_t>(*kind)];
  auto api = by_type_.find(type);
  if (api == by_type_.end()) {
    for (const auto* n : *live)
      if (!f(*n))
        return;
    return;
  }
  // Both in id order: merge.
  auto i = live->begin();
  auto j = api->second.begin();
  while (i != live->end() || j != api->second.end()) {
    bool take_live = j == api->second.end()
                     || (i != live->end() && (*i)->first < (*j)->first);
    const node* n = take_live ? *i++ : *j++;
    if (!f(*n))
      return;
  }
}

size_t entity_store::count_of_type(std::string_view type) const {
  size_t result = 0;
  if (auto kind = twin::parse_ngsi_type(type))
    result += live_by_kind_[static_cast<size_t>(*kind)].size();
  if (auto i = by_type_.find(type); i != by_type_.end())
    result += i->second.size();
  return result;
}

bool entity_store::matches(const entity_filter& filter, const std::string& id,
                           const entry& e) const {
  if (!filter.ids.empty() && !contains(filter.ids, id))
    return false;
  if (filter.id_pattern && !std::regex_search(id, *filter.id_pattern))
    return false;
  // A live entity has one type, named without allocating.
  std::vector<std::string> doc_types;
  if (!e.live)
    doc_types = types_of(*e.doc);
  auto any_type = [&](auto&& pred) {
    if (e.live)
      return pred(twin::ngsi_type(e.live->state.id.kind));
    return std::any_of(doc_types.begin(), doc_types.end(),
                       [&](const std::string& t) { return pred(t); });
  };
  if (!filter.types.empty() && !any_type([&](std::string_view t) {
        return contains(filter.types, t);
      }))
    return false;
  if (filter.visible && !any_type(filter.visible))
    return false;
  if (filter.geo && filter.geo->geoproperty == "location") {
    auto shape = location_of(e);
    if (!shape || !filter.geo->matches_shape(*shape))
      return false;
  }
  bool needs_document
      = !filter.attrs.empty() || filter.q
        || (filter.geo && filter.geo->geoproperty != "location");
  if (!needs_document)
    return true;
  // Live entities are rendered only for what typed state cannot answer.
  std::optional<json> rendered;
  if (e.live)
    rendered = render_live(id, *e.live);
  const json& doc = e.live ? *rendered : *e.doc;
  if (!filter.attrs.empty()
      && std::none_of(filter.attrs.begin(), filter.attrs.end(),
                      [&](const auto& a) { return doc.contains(a); }))
    return false;
  if (filter.q && !filter.q->matches(doc))
    return false;
  if (filter.geo && filter.geo->geoproperty != "location"
      && !filter.geo->matches(doc))
    return false;
  return true;
}

// -- reads --------------------------------------------------------------------

json entity_store::item::document() const {
  return live ? render_live(id, *live) : *doc;
}

entity_ptr entity_store::item::shared_document() const {
  return live ? std::make_shared<const json>(render_live(id, *live)) : doc;
}

caf::expected<entity_store::item>
entity_store::find(std::string_view id) const {
  auto i = entities_.find(id);
  if (i == entities_.end())
    return not_found(id);
  return item{i->first, i->second.doc, i->second.live};
}

caf::expected<entity_ptr> entity_store::get(std::string_view id) const {
  auto found = find(id);
  if (!found)
    return found.error();
  return found->shared_document();
}

bool entity_store::is_live(std::string_view id) const {
  auto i = entities_.find(id);
  return i != entities_.end() && i->second.live;
}

entity_store::query_result entity_store::query(const entity_filter& filter,
                                               size_t offset, size_t limit,
                                               bool count_all) const {
  auto found = query_page(filter, offset, limit, count_all);
  query_result result;
  result.total = found.total;
  result.entities.reserve(found.items.size());
  for (const auto& x : found.items)
    result.entities.push_back(x.document());
  return result;
}

entity_store::page entity_store::query_page(const entity_filter& filter,
                                            size_t offset, size_t limit,
                                            bool count_all) const {
  // A page holds documents by pointer and live entities as typed state;
  // the caller renders what it returns.
  page result;
  auto& items = result.items;
  {
    bool done = false;
    auto visit = [&](const std::string& id, const entry& e) {
      if (!matches(filter, id, e))
        return;
      if (result.total >= offset && items.size() < limit)
        items.push_back({id, e.doc, e.live});
      ++result.total;
      done = !count_all && items.size() >= limit
             && result.total >= offset + limit;
    };
    auto visit_ids = [&](std::vector<const std::string*> ids) {
      std::sort(ids.begin(), ids.end(),
                [](const auto* a, const auto* b) { return *a < *b; });
      ids.erase(std::unique(ids.begin(), ids.end(),
                            [](const auto* a, const auto* b) {
                              return *a == *b;
                            }),
                ids.end());
      for (const auto* id : ids) {
        if (done)
          break;
        if (auto i = entities_.find(*id); i != entities_.end())
          visit(i->first, i->second);
      }
    };
    std::optional<geo_box> near;
    if (filter.geo && filter.geo->geoproperty == "location")
      near = filter.geo->candidate_box();
    if (!filter.ids.empty()) {
      // Listed ids are looked up directly instead of scanning everything.
      std::vector<const std::string*> ids;
      for (const auto& id : filter.ids)
        ids.push_back(&id);
      visit_ids(std::move(ids));
    } else if (near) {
      std::vector<const std::string*> ids;
      by_location_.query(
          bgi::intersects(
              box{{near->min_lon, near->min_lat}, {near->max_lon, near->max_lat}}),
          boost::make_function_output_iterator(
              [&ids](const geo_value& v) { ids.push_back(v.second); }));
      visit_ids(std::move(ids));
    } else if (filter.types.size() == 1) {
      for_each_of_type(filter.types.front(), [&](const node& n) {
        visit(n.first, n.second);
        return !done;
      });
    } else if (!filter.types.empty()) {
      std::vector<const std::string*> ids;
      for (const auto& t : filter.types)
        for_each_of_type(t, [&](const node& n) {
          ids.push_back(&n.first);
          return true;
        });
      visit_ids(std::move(ids));
    } else {
      for (const auto& [id, e] : entities_) {
        if (done)
          break;
        visit(id, e);
      }
    }
  }
  return result;
}

std::map<std::string, entity_store::type_info> entity_store::types() const {
  std::map<std::string, type_info> result;
  auto describe = [&](std::string_view type) {
    auto& info = result[std::string{type}];
    info.count = count_of_type(type);
    std::set<std::string> names;
    if (auto kind = twin::parse_ngsi_type(type);
        kind && !live_by_kind_[static_cast<size_t>(*kind)].empty()) {
      // Every live entity of a kind has the same attributes.
      for (const auto& n : live_attribute_names(*kind))
        names.insert(n);
      names.insert("location");
    }
    for_each_of_type(type, [&](const node& n) {
      const auto& e = n.second;
      const json* doc = e.live ? e.live->extras.get() : e.doc.get();
      if (doc)
        for (auto& name : attribute_names(*doc))
          names.insert(std::move(name));
      return true;
    });
    info.attributes.assign(names.begin(), names.end());
  };
  for (size_t k = 1; k <= twin::num_entity_kinds; ++k)
    if (!live_by_kind_[k].empty())
      describe(twin::ngsi_type(static_cast<twin::entity_kind>(k)));
  for (const auto& [type, nodes] : by_type_)
    if (result.count(type) == 0)
      describe(type);
  return result;
}

size_t entity_store::size() const {
  return entities_.size();
}

std::vector<json> entity_store::stored_documents() const {
  std::vector<json> result;
  for (const auto& [id, e] : entities_)
    if (e.doc)
      result.push_back(*e.doc);
  return result;
}

// -- writes -------------------------------------------------------------------

caf::expected<entity_change> entity_store::create(json entity) {
  auto id = entity["id"].get<std::string>();
  auto now = iso_now();
  entity["createdAt"] = now;
  entity["modifiedAt"] = now;
  entity_change result;
  result.what = entity_change::kind::created;
  result.id = id;
  result.types = types_of(entity);
  result.created_attrs = attribute_names(entity);
  auto location = parse_location(entity);
  auto doc = std::make_shared<const json>(std::move(entity));
  result.entity = doc;
  auto [i, added] = entities_.try_emplace(std::move(id));
  if (!added)
    return make_problem(broker_errc::already_exists,
                        "entity '" + i->first + "' exists");
  i->second.doc = std::move(doc);
  i->second.location = std::move(location);
  index(i->first, i->second);
  return result;
}

template <class F>
caf::expected<entity_change> entity_store::modify(std::string_view id,
                                                  F&& change) {
  auto i = entities_.find(id);
  if (i == entities_.end())
    return not_found(id);
  auto& e = i->second;
  bool live = e.live.has_value();
  auto before = live ? std::make_shared<const json>(render_live(i->first, *e.live))
                     : e.doc;
  auto copy = *before;
  entity_change result;
  result.what = entity_change::kind::updated;
  result.id = std::string{id};
  result.previous = before;
  if (auto err = change(copy, result, live))
    return err;
  auto now = now_ms();
  copy["modifiedAt"] = twin::format_iso_time(now);
  result.types = types_of(copy);
  if (live) {
    // The twin owns its attributes and location; a client may only add
    // attributes of its own beside them.
    const auto& owned = live_attribute_names(e.live->state.id.kind);
    auto extras = json::object();
    for (auto& [name, value] : copy.items()) {
      if (is_reserved_member(name))
        continue;
      if (name == "location" || std::binary_search(owned.begin(), owned.end(), name)) {
        if (value != (*before)[name])
          return twin_owned(name);
        continue;
      }
      extras[name] = value;
    }
    e.live->extras = extras.empty() ? nullptr
                                    : std::make_shared<const json>(std::move(extras));
    e.live->modified_ms = now;
    result.entity = std::make_shared<const json>(std::move(copy));
    return result;
  }
  auto doc = std::make_shared<const json>(std::move(copy));
  unindex(i->first, e);
  e.doc = doc;
  e.location = parse_location(*doc);
  index(i->first, e);
  result.entity = std::move(doc);
  return result;
}

caf::expected<entity_change>
entity_store::append(std::string_view id, const json& attrs, bool no_overwrite,
                     std::vector<std::string>& not_updated) {
  return modify(id, [&](json& doc, entity_change& ch, bool) -> caf::error {
    for (const auto& [name, value] : attrs.items()) {
      if (name == "id" || name == "type")
        continue;
      bool exists = doc.contains(name);
      if (exists && no_overwrite) {
        not_updated.push_back(name);
        continue;
      }
      (exists ? ch.updated_attrs : ch.created_attrs).push_back(name);
      doc[name] = value;
    }
    return {};
  });
}

caf::expected<entity_change>
entity_store::update(std::string_view id, const json& attrs,
                     std::vector<std::string>& not_updated) {
  return modify(id, [&](json& doc, entity_change& ch, bool) -> caf::error {
    for (const auto& [name, value] : attrs.items()) {
      if (!doc.contains(name) || is_reserved_member(name)) {
        not_updated.push_back(name);
        continue;
      }
      ch.updated_attrs.push_back(name);
      doc[name] = value;
    }
    return {};
  });
}

caf::expected<entity_change>
entity_store::update_attribute(std::string_view id, std::string_view name,
                               const json& members) {
  return modify(id, [&](json& doc, entity_change& ch, bool) -> caf::error {
    auto key = std::string{name};
    if (!doc.contains(key) || is_reserved_member(key))
      return make_problem(broker_errc::not_found,
                          "entity has no attribute '" + key + "'");
    auto& attr = doc[key];
    if (!attr.is_object() || !members.is_object())
      attr = members;
    else
      for (const auto& [member, value] : members.items())
        attr[member] = value;
    ch.updated_attrs.push_back(key);
    return {};
  });
}

caf::expected<entity_change>
entity_store::remove_attribute(std::string_view id, std::string_view name) {
  return modify(id, [&](json& doc, entity_change& ch, bool live) -> caf::error {
    auto key = std::string{name};
    if (!doc.contains(key) || is_reserved_member(key))
      return make_problem(broker_errc::not_found,
                          "entity has no attribute '" + key + "'");
    if (live)
      return make_problem(broker_errc::not_supported,
                          "attributes of live twin entities are the twin's");
    doc.erase(key);
    ch.deleted_attrs.push_back(key);
    return {};
  });
}

caf::expected<entity_change> entity_store::merge(std::string_view id,
                                                 const json& attrs) {
  return modify(id, [&](json& doc, entity_change& ch, bool live) -> caf::error {
    for (const auto& [name, value] : attrs.items()) {
      if (name == "id" || name == "type" || name == "createdAt"
          || name == "modifiedAt")
        continue;
      bool exists = doc.contains(name);
      if (value.is_null()
          || (value.is_object() && value.contains("value")
              && value["value"] == "urn:ngsi-ld:null")) {
        if (live)
          return make_problem(broker_errc::not_supported,
                              "attributes of live twin entities are the "
                              "twin's");
        if (exists) {
          doc.erase(name);
          ch.deleted_attrs.push_back(name);
        }
        continue;
      }
      if (exists && doc[name].is_object() && value.is_object())
        doc[name].merge_patch(value);
      else
        doc[name] = value;
      (exists ? ch.updated_attrs : ch.created_attrs).push_back(name);
    }
    return {};
  });
}

caf::expected<entity_change> entity_store::replace(std::string_view id,
                                                   json entity) {
  return modify(id, [&](json& doc, entity_change& ch, bool live) -> caf::error {
    if (live)
      return make_problem(broker_errc::not_supported,
                          "live twin entities cannot be replaced");
    for (const auto& name : attribute_names(doc))
      if (!entity.contains(name))
        ch.deleted_attrs.push_back(name);
    for (const auto& name : attribute_names(entity))
      (doc.contains(name) ? ch.updated_attrs : ch.created_attrs)
          .push_back(name);
    entity["id"] = doc["id"];
    entity["createdAt"] = doc["createdAt"];
    doc = std::move(entity);
    return {};
  });
}

caf::expected<entity_change> entity_store::remove(std::string_view id) {
  auto i = entities_.find(id);
  if (i == entities_.end())
    return not_found(id);
  if (i->second.live)
    return make_problem(broker_errc::not_supported,
                        "live twin entities cannot be deleted");
  entity_change result;
  result.what = entity_change::kind::deleted;
  result.id = i->first;
  result.entity = i->second.doc;
  result.types = types_of(*result.entity);
  result.deleted_attrs = attribute_names(*result.entity);
  unindex(i->first, i->second);
  entities_.erase(i);
  return result;
}

void entity_store::add_live(std::vector<live_seed> seeds) {
  auto now = now_ms();
  // Cities come in URN order per kind; sorting makes the inserts hinted.
  std::sort(seeds.begin(), seeds.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  std::vector<geo_value> located;
  located.reserve(seeds.size());
  auto hint = entities_.end();
  for (auto& seed : seeds) {
    if (auto old = entities_.find(seed.id); old != entities_.end()) {
      unindex(old->first, old->second);
      entities_.erase(old);
    }
    hint = entities_.emplace_hint(hint, std::move(seed.id), entry{});
    auto& e = hint->second;
    e.live.emplace();
    e.live->state = seed.state;
    e.live->where = std::move(seed.where);
    e.live->created_ms = e.live->modified_ms = now;
    live_by_kind_[static_cast<size_t>(seed.state.id.kind)].push_back(&*hint);
    if (auto shape = location_of(e)) {
      auto b = bounds(*shape);
      located.emplace_back(box{{b.min_lon, b.min_lat}, {b.max_lon, b.max_lat}},
                           &hint->first);
    }
    ++hint;
  }
  // Seeds arrive sorted, but a kind may already hold runtime entities.
  for (auto& list : live_by_kind_)
    if (!std::is_sorted(list.begin(), list.end(), by_id{}))
      std::sort(list.begin(), list.end(), by_id{});
  located.insert(located.end(), by_location_.begin(), by_location_.end());
  // The range constructor packs the tree (STR): built once, fuller nodes.
  by_location_ = geo_index{located.begin(), located.end()};
}

caf::expected<entity_change>
entity_store::update_live(std::string_view id, const twin::entity_state& state,
                          int64_t at_ms, bool render) {
  entity_change result;
  result.what = entity_change::kind::updated;
  std::optional<live_record> before;
  std::optional<live_record> after;
  std::string key;
  {
    auto i = entities_.find(id);
    if (i == entities_.end()) {
      // A sensor the twin created from an unbound id after the seed.
      i = entities_.emplace(std::string{id}, entry{}).first;
      i->second.live.emplace();
      i->second.live->where.known = false;
      i->second.live->created_ms = at_ms;
      i->second.live->state = state;
      index(i->first, i->second);
      result.what = entity_change::kind::created;
    } else if (!i->second.live) {
      return make_problem(broker_errc::already_exists,
                          "entity '" + std::string{id}
                              + "' was created through the API");
    }
    auto& record = *i->second.live;
    if (render) {
      if (result.what == entity_change::kind::updated)
        before = record;
      key = i->first;
    }
    record.state = state;
    record.modified_ms = at_ms;
    if (render)
      after = record;
  }
  if (after)
    result.entity = std::make_shared<const json>(render_live(key, *after));
  result.id = std::string{id};
  result.types = {std::string{twin::ngsi_type(state.id.kind)}};
  (result.what == entity_change::kind::created ? result.created_attrs
                                               : result.updated_attrs)
      = live_attribute_names(state.id.kind);
  if (before)
    result.previous = std::make_shared<const json>(render_live(key, *before));
  return result;
}

} // namespace citytwin::broker
