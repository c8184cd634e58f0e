// twin/broker/ngsi_query.cpp
#include "twin/broker/ngsi_query.hpp"

#include "twin/broker/q_value.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

namespace citytwin::broker {

namespace {

using detail::q_item;
using detail::q_node;
using detail::q_op;
using detail::q_order;
using detail::q_path;
using detail::q_term;
using json = nlohmann::json;
using refs = std::vector<const json*>;

/// Adds an attribute member: one instance object, or each object of a
/// multi-instance array (several datasetIds).
void add_instances(const json& member, refs& out) {
  if (member.is_object()) {
    out.push_back(&member);
    return;
  }
  if (member.is_array())
    for (const auto& x : member)
      if (x.is_object())
        out.push_back(&x);
}

/// Adds what a query compares in one attribute instance: a Property's
/// `value` (a JSON-LD `{"@value":..}` unwrapped), a Relationship's
/// `object`, a LanguageProperty's `languageMap` (each of its strings when
/// no key selects a language), a VocabProperty's `vocab`, a ListProperty's
/// `valueList` or a JsonProperty's `json`. Null means no value.
void add_value(const json& instance, bool keyed, refs& out) {
  for (const char* name : {"value", "object", "vocab", "valueList", "json"}) {
    auto i = instance.find(name);
    if (i == instance.end())
      continue;
    const json* value = &*i;
    if (value->is_object() && value->contains("@value"))
      value = &(*value)["@value"];
    if (!value->is_null())
      out.push_back(value);
    return;
  }
  auto i = instance.find("languageMap");
  if (i == instance.end() || !i->is_object())
    return;
  if (keyed) {
    out.push_back(&*i);
    return;
  }
  for (const auto& text : *i)
    out.push_back(&text);
}

/// Every value the path designates in the entity, across all instances.
/// Scalar members met on the way (`observedAt`, `unitCode`, `datasetId`,
/// ...) are values themselves; object members are sub-attributes.
refs resolve(const q_path& path, const json& entity) {
  refs instances;
  refs values;
  if (auto i = entity.find(path.members[0]); i != entity.end())
    add_instances(*i, instances);
  for (size_t n = 1; n < path.members.size(); ++n) {
    bool last = n + 1 == path.members.size();
    refs next;
    for (const json* instance : instances) {
      auto i = instance->find(path.members[n]);
      if (i == instance->end())
        continue;
      if (i->is_object()
          || (i->is_array() && !i->empty() && i->front().is_object()))
        add_instances(*i, next);
      else if (last && !i->is_null())
        values.push_back(&*i);
    }
    instances = std::move(next);
  }
  for (const json* instance : instances)
    add_value(*instance, !path.keys.empty(), values);
  for (const auto& key : path.keys) {
    refs next;
    for (const json* value : values)
      if (auto i = value->find(key);
          value->is_object() && i != value->end() && !i->is_null())
        next.push_back(&*i);
    values = std::move(next);
  }
  return values;
}

/// Whether a scalar equals the item (lies inside it for a range): true,
/// false, or nullopt when the types do not compare.
std::optional<bool> contains(const q_item& item, const json& target) {
  auto low = detail::compare(target, item.low);
  if (low == q_order::incomparable)
    return std::nullopt;
  if (!item.high)
    return low == q_order::equal;
  auto high = detail::compare(target, *item.high);
  return (low == q_order::equal || low == q_order::greater)
         && (high == q_order::equal || high == q_order::less);
}

/// The positive test of `==`/`!=` (any item contains the scalar) or of
/// `~=`/`!~=` (the pattern matches), with nullopt for a type mismatch.
std::optional<bool> positive(const q_term& term, const json& target) {
  if (term.pattern) {
    if (!target.is_string())
      return std::nullopt;
    return std::regex_search(target.get_ref<const std::string&>(),
                             *term.pattern);
  }
  std::optional<bool> result;
  for (const auto& item : term.values) {
    auto x = contains(item, target);
    if (x == true)
      return true;
    if (x)
      result = false;
  }
  return result;
}

bool ordered(q_op op, const q_term& term, const json& target) {
  // `compare` reports equal booleans as equal, but they have no order.
  if (term.values[0].low.kind == detail::q_kind::boolean)
    return false;
  auto order = detail::compare(target, term.values[0].low);
  switch (op) {
    case q_op::gt:
      return order == q_order::greater;
    case q_op::ge:
      return order == q_order::greater || order == q_order::equal;
    case q_op::lt:
      return order == q_order::less;
    case q_op::le:
      return order == q_order::less || order == q_order::equal;
    default:
      return false;
  }
}

/// One value of the entity against a comparison. For an array value,
/// `==`, `~=` and the orderings hold if some element satisfies them, `!=`
/// and `!~=` if no element is equal (matches) and some element compares.
bool satisfies(const q_term& term, const json& target) {
  bool negative = term.op == q_op::ne || term.op == q_op::no_match;
  bool positive_op = term.op == q_op::eq || term.op == q_op::match;
  if (!target.is_array()) {
    if (!negative && !positive_op)
      return ordered(term.op, term, target);
    auto x = positive(term, target);
    return x && *x == positive_op;
  }
  if (!negative) {
    return std::any_of(target.begin(), target.end(), [&](const json& x) {
      return !x.is_array() && satisfies(term, x);
    });
  }
  bool comparable = false;
  for (const auto& element : target) {
    auto x = element.is_array() ? std::nullopt : positive(term, element);
    if (x == true)
      return false;
    comparable = comparable || x.has_value();
  }
  return comparable;
}

bool evaluate(const q_node& node, const json& entity) {
  switch (node.type) {
    case q_node::kind::all:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&](const q_node& x) { return evaluate(x, entity); });
    case q_node::kind::any:
      return std::any_of(node.children.begin(), node.children.end(),
                         [&](const q_node& x) { return evaluate(x, entity); });
    case q_node::kind::term:
      break;
  }
  const auto& term = node.term;
  auto values = resolve(term.path, entity);
  if (term.op == q_op::exists)
    return !values.empty();
  if (term.op == q_op::absent)
    return values.empty();
  // Several instances (datasetIds): the entity matches if any does.
  return std::any_of(values.begin(), values.end(),
                     [&](const json* x) { return satisfies(term, *x); });
}

void collect_attributes(const q_node& node, std::vector<std::string>& out) {
  if (node.type != q_node::kind::term) {
    for (const auto& child : node.children)
      collect_attributes(child, out);
    return;
  }
  const auto& name = node.term.path.members[0];
  if (std::find(out.begin(), out.end(), name) == out.end())
    out.push_back(name);
}

} // namespace

bool q_query::matches(const nlohmann::json& entity) const {
  if (empty_)
    return true;
  if (!entity.is_object())
    return false;
  return evaluate(root_, entity);
}

std::vector<std::string> q_query::attributes() const {
  std::vector<std::string> result;
  if (!empty_)
    collect_attributes(root_, result);
  return result;
}

} // namespace citytwin::broker
