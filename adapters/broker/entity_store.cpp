// adapters/broker/entity_store.cpp
#include "adapters/broker/entity_store.hpp"

#include "adapters/broker/broker_error.hpp"
#include "adapters/broker/geo_query.hpp"
#include "adapters/broker/ngsi_query.hpp"

#include <algorithm>
#include <mutex>

namespace citytwin::broker {

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
  auto doc = std::make_shared<const json>(std::move(entity));
  result.entity = doc;
  std::unique_lock guard{mtx_};
  auto [i, added] = entities_.try_emplace(std::move(id), entry{doc, false});
  if (!added)
    return make_problem(broker_errc::already_exists,
                        "entity '" + i->first + "' exists");
  return result;
}

caf::expected<entity_ptr> entity_store::get(std::string_view id) const {
  std::shared_lock guard{mtx_};
  auto i = entities_.find(id);
  if (i == entities_.end())
    return not_found(id);
  return i->second.doc;
}

bool entity_store::is_live(std::string_view id) const {
  std::shared_lock guard{mtx_};
  auto i = entities_.find(id);
  return i != entities_.end() && i->second.live;
}

entity_store::query_result entity_store::query(const entity_filter& filter,
                                               size_t offset,
                                               size_t limit) const {
  query_result result;
  std::shared_lock guard{mtx_};
  auto visit = [&](const entry& e) {
    if (!filter.matches(*e.doc))
      return;
    if (result.total >= offset && result.entities.size() < limit)
      result.entities.push_back(e.doc);
    ++result.total;
  };
  // Listed ids are looked up directly instead of scanning everything.
  if (!filter.ids.empty()) {
    auto ids = filter.ids;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const auto& id : ids)
      if (auto i = entities_.find(id); i != entities_.end())
        visit(i->second);
    return result;
  }
  for (const auto& [id, e] : entities_)
    visit(e);
  return result;
}

template <class F>
caf::expected<entity_change> entity_store::modify(std::string_view id,
                                                  F&& change) {
  std::unique_lock guard{mtx_};
  auto i = entities_.find(id);
  if (i == entities_.end())
    return not_found(id);
  auto copy = *i->second.doc;
  entity_change result;
  result.what = entity_change::kind::updated;
  result.id = std::string{id};
  result.previous = i->second.doc;
  if (auto err = change(copy, result, i->second.live))
    return err;
  copy["modifiedAt"] = iso_now();
  result.types = types_of(copy);
  auto doc = std::make_shared<const json>(std::move(copy));
  i->second.doc = doc;
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
  std::unique_lock guard{mtx_};
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
  entities_.erase(i);
  return result;
}

entity_change entity_store::put_live(const std::string& id,
                                     const std::string& type,
                                     const json& attrs) {
  entity_change result;
  result.id = id;
  result.types = {type};
  std::unique_lock guard{mtx_};
  auto i = entities_.find(id);
  json doc;
  if (i == entities_.end()) {
    doc = json{{"id", id}, {"type", type}, {"createdAt", iso_now()}};
    result.what = entity_change::kind::created;
  } else {
    doc = *i->second.doc;
    result.previous = i->second.doc;
  }
  for (const auto& [name, value] : attrs.items()) {
    (doc.contains(name) ? result.updated_attrs : result.created_attrs)
        .push_back(name);
    doc[name] = value;
  }
  doc["modifiedAt"] = iso_now();
  auto ptr = std::make_shared<const json>(std::move(doc));
  result.entity = ptr;
  if (i == entities_.end())
    entities_.emplace(id, entry{std::move(ptr), true});
  else
    i->second.doc = std::move(ptr);
  return result;
}

std::map<std::string, entity_store::type_info> entity_store::types() const {
  std::map<std::string, type_info> result;
  std::shared_lock guard{mtx_};
  for (const auto& [id, e] : entities_) {
    for (const auto& t : types_of(*e.doc)) {
      auto& info = result[t];
      ++info.count;
      for (auto& name : attribute_names(*e.doc))
        if (!contains(info.attributes, name))
          info.attributes.push_back(std::move(name));
    }
  }
  for (auto& [t, info] : result)
    std::sort(info.attributes.begin(), info.attributes.end());
  return result;
}

size_t entity_store::size() const {
  std::shared_lock guard{mtx_};
  return entities_.size();
}

} // namespace citytwin::broker
