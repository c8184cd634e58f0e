// twin/rules/bound_rules.cpp
#include "twin/rules/bound_rules.hpp"

#include "twin/error.hpp"
#include "twin/problem_list.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>

namespace citytwin::rules {

namespace {

using twin::entity_id;
using twin::entity_kind;

// What a command changes, as the attribute names rules read.
std::vector<std::string_view> written_by(twin::command_kind kind) {
  switch (kind) {
    case twin::command_kind::dim:
      return {"dim_level", "power", "on", "switch_count", "commands",
              "last_command", "command_pending"};
    case twin::command_kind::signal_plan:
      return {"green_time_0", "green_time_1", "green_time_2", "green_time_3",
              "green_time_4", "green_time_5", "green_time_6", "green_time_7",
              "commands", "last_command"};
    case twin::command_kind::signal_mode:
      return {"signal_mode", "commands", "last_command"};
  }
  return {};
}

std::string short_name(entity_id id) {
  return std::string{twin::ngsi_type(id.kind)} + ":" + std::to_string(id.number);
}

// Binds one rule set; problems are found once per rule, not per instance.
class binder {
public:
  binder(const rule_set& rules, const city_index& city)
    : rules_(rules), city_(city), problems_(rules.origin) {
  }

  twin::problem_list& problems() {
    return problems_;
  }

  void bind_rule(uint32_t index, bound_rules& out) {
    const auto& r = rules_.rules[index];
    if (!r.enabled)
      return;
    if (!check(r))
      return;
    for (auto anchor : anchors(r)) {
      if (out.instances.size() >= max_bound_instances) {
        problems_.add(r.line, "rule '" + r.id + "': the rule set binds to more "
                                "than " + std::to_string(max_bound_instances)
                                + " instances");
        return;
      }
      out.instances.push_back(instance(index, r, anchor));
      for (auto& in : out.instances.back().inputs)
        out.kinds_read |= uint32_t{1} << static_cast<int>(in.id.kind);
    }
  }

  void check_cycles() {
    // rule -> rules whose inputs its commands change
    std::vector<std::set<std::pair<entity_kind, std::string>>> reads(
      rules_.rules.size()),
      writes(rules_.rules.size());
    for (size_t i = 0; i < rules_.rules.size(); ++i) {
      const auto& r = rules_.rules[i];
      if (!r.enabled)
        continue;
      for (const auto& c : r.when)
        if (c.what == clause::type::attribute)
          if (auto k = selected_kind(r, c.of))
            reads[i].emplace(*k, c.attribute);
      for (const auto* list : {&r.then, &r.otherwise})
        for (const auto& a : *list) {
          if (a.what == action_kind::recommend)
            if (auto k = selected_kind(r, a.candidates))
              reads[i].emplace(*k, a.candidate_attribute);
          if (a.what != action_kind::command)
            continue;
          for (auto name : written_by(a.command))
            writes[i].emplace(twin::actuator_of(a.command), std::string{name});
        }
    }
    auto triggers = [&](size_t from, size_t to) {
      for (const auto& w : writes[from])
        if (reads[to].count(w))
          return true;
      return false;
    };
    // Depth-first search for a cycle through each rule, reported once.
    std::vector<int> colour(rules_.rules.size(), 0);
    std::vector<size_t> path;
    std::function<void(size_t)> visit = [&](size_t i) {
      colour[i] = 1;
      path.push_back(i);
      for (size_t j = 0; j < rules_.rules.size(); ++j) {
        if (!triggers(i, j))
          continue;
        if (colour[j] == 1) {
          std::string chain;
          auto start = std::find(path.begin(), path.end(), j);
          for (auto k = start; k != path.end(); ++k)
            chain += "'" + rules_.rules[*k].id + "' -> ";
          chain += "'" + rules_.rules[j].id + "'";
          problems_.add(rules_.rules[j].line,
                        "rules would trigger each other forever: " + chain
                          + " (each one's commands change what the next "
                            "reads)");
        } else if (colour[j] == 0) {
          visit(j);
        }
      }
      path.pop_back();
      colour[i] = 2;
    };
    for (size_t i = 0; i < rules_.rules.size(); ++i)
      if (colour[i] == 0)
        visit(i);
  }

private:
  std::vector<entity_id> anchors(const rule& r) {
    if (r.entity)
      return {*r.entity};
    if (!r.for_each)
      return {entity_id{}}; // the whole city: one instance
    auto result = city_.all(*r.for_each);
    if (r.signalised_only)
      std::erase_if(result, [&](entity_id id) {
        return city_.num_phases(id) == 0;
      });
    return result;
  }

  // Checks that need the city, once per rule; false if it cannot bind.
  bool check(const rule& r) {
    auto before = problems_.size();
    auto where = [&](size_t line) { return line ? line : r.line; };
    auto named = [&](const selector& sel) {
      if (sel.rel == relation::entity && !city_.contains(sel.id))
        problems_.add(where(sel.line),
                      "rule '" + r.id + "': the city has no entity "
                        + twin::to_urn(sel.id, city_.city().name));
    };
    if (r.entity && !city_.contains(*r.entity))
      problems_.add(r.line, "rule '" + r.id + "': the city has no entity "
                              + twin::to_urn(*r.entity, city_.city().name));
    for (const auto& c : r.when) {
      if (c.what != clause::type::attribute)
        continue;
      named(c.of);
      auto kind = selected_kind(r, c.of);
      if (kind && !attribute_reader::resolve(*kind, c.attribute))
        problems_.add(where(c.line), "rule '" + r.id + "': "
                                       + std::string{to_string(*kind)}
                                       + " has no attribute '" + c.attribute
                                       + "'");
    }
    auto anchor_phases = [&]() -> std::optional<uint8_t> {
      // The phases of the intersections a self-targeted plan goes to, if
      // they all agree.
      auto all = anchors(r);
      if (all.empty() || all.front().kind != entity_kind::intersection)
        return std::nullopt;
      auto n = city_.num_phases(all.front());
      for (auto id : all)
        if (city_.num_phases(id) != n)
          return std::nullopt;
      return n;
    };
    for (const auto* list : {&r.then, &r.otherwise})
      for (const auto& a : *list) {
        named(a.to);
        named(a.candidates);
        if (a.what == action_kind::recommend
            && a.recommend == recommendation::guide_to_nearest_free) {
          auto kind = selected_kind(r, a.candidates);
          if (kind && !attribute_reader::resolve(*kind, a.candidate_attribute))
            problems_.add(where(a.line),
                          "rule '" + r.id + "': "
                            + std::string{to_string(*kind)}
                            + " has no attribute '" + a.candidate_attribute
                            + "'");
        }
        if (a.what != action_kind::command)
          continue;
        auto actuator = twin::actuator_of(a.command);
        auto kind = selected_kind(r, a.to);
        if (a.to.rel == relation::along && a.to.base == relation::matched) {
          auto seg = a.to.clause < r.when.size()
                       ? selected_kind(r, r.when[a.to.clause].of)
                       : std::nullopt;
          if (seg != entity_kind::road_segment)
            problems_.add(where(a.line),
                          "rule '" + r.id + "': 'along: matched' needs clause "
                            + std::to_string(a.to.clause + 1)
                            + " to read road segments");
        }
        if (kind && *kind != actuator) {
          problems_.add(where(a.line),
                        "rule '" + r.id + "': action on a non-actuator: "
                          + std::string{to_string(*kind)} + " takes no "
                          + std::string{twin::to_string(a.command)}
                          + " command");
          continue;
        }
        bool to_intersections = kind == entity_kind::intersection;
        // An `entity:` rule's one intersection counts as well; only
        // `for_each` can take the advice to add signalised_only.
        if (to_intersections && a.to.rel == relation::self
            && !r.signalised_only)
          for (auto id : anchors(r))
            if (city_.num_phases(id) == 0) {
              problems_.add(where(a.line),
                            "rule '" + r.id + "': sends "
                              + std::string{twin::to_string(a.command)}
                              + " commands to unsignalised intersections (e.g. "
                              + short_name(id) + ")"
                              + (r.for_each ? "; add 'signalised_only: true'"
                                            : ""));
              break;
            }
        if (a.command == twin::command_kind::signal_plan) {
          if (a.plan == plan_kind::favour
              && (a.to.rel != relation::self || !to_intersections))
            problems_.add(where(a.line),
                          "rule '" + r.id + "': a 'favour' plan goes to the "
                            "rule's own intersection ('to: self' on a rule "
                            "for intersections)");
          if (a.plan == plan_kind::fixed && a.to.rel == relation::self) {
            auto n = anchor_phases();
            if (n && *n != a.green_s.size())
              problems_.add(where(a.line),
                            "rule '" + r.id + "': the plan gives "
                              + std::to_string(a.green_s.size())
                              + " phases; the intersections have "
                              + std::to_string(*n));
          }
        }
      }
    return problems_.size() == before;
  }

  std::vector<entity_id> resolve(const rule& r, const selector& sel,
                                 entity_id anchor) {
    auto here = [&] { return city_.position(anchor); };
    switch (sel.rel) {
      case relation::self:
        return {anchor};
      case relation::entity:
        return {sel.id};
      case relation::all:
        return city_.all(*sel.kind);
      case relation::approaching:
        return city_.approaching(anchor);
      case relation::leaving:
        return city_.leaving(anchor);
      case relation::segment: {
        auto s = city_.segment_of(anchor);
        return s ? std::vector{*s} : std::vector<entity_id>{};
      }
      case relation::along: {
        if (sel.base == relation::matched)
          return {}; // found when the action runs
        selector base;
        base.rel = sel.base;
        std::vector<entity_id> result;
        for (auto seg : resolve(r, base, anchor))
          for (auto id : city_.along(seg, *sel.kind))
            result.push_back(id);
        return result;
      }
      case relation::within:
        if (auto p = here())
          return city_.within(*p, sel.radius_m, *sel.kind);
        return {};
      case relation::nearest:
        if (auto p = here())
          return city_.nearest(*p, sel.k, *sel.kind, anchor);
        return {};
      case relation::matched:
        return {};
    }
    return {};
  }

  void add_inputs(bound_instance& x, const std::vector<entity_id>& ids,
                  std::string_view attribute, input_range& range) {
    range.first = static_cast<uint32_t>(x.inputs.size());
    for (auto id : ids)
      if (auto reader = attribute_reader::resolve(id.kind, attribute))
        x.inputs.push_back({id, *reader});
    range.count = static_cast<uint32_t>(x.inputs.size()) - range.first;
  }

  bound_instance instance(uint32_t index, const rule& r, entity_id anchor) {
    bound_instance x;
    x.rule = index;
    x.anchor = anchor;
    x.whole_city = !r.for_each && !r.entity;
    for (const auto& c : r.when) {
      input_range range;
      if (c.what == clause::type::attribute)
        add_inputs(x, resolve(r, c.of, anchor), c.attribute, range);
      else
        x.temporal = true;
      x.clauses.push_back(range);
    }
    auto bind_actions = [&](const std::vector<action>& list,
                            std::vector<bound_action>& out) {
      for (const auto& a : list) {
        bound_action b;
        b.source = &a;
        if (a.what == action_kind::command)
          b.targets = resolve(r, a.to, anchor);
        if (a.what == action_kind::recommend
            && a.recommend != recommendation::notice
            && a.recommend != recommendation::collection_route) {
          auto ids = resolve(r, a.candidates, anchor);
          if (a.recommend == recommendation::guide_to_nearest_free)
            add_inputs(x, ids, a.candidate_attribute, b.candidates);
          else
            b.targets = std::move(ids);
        }
        out.push_back(std::move(b));
      }
    };
    bind_actions(r.then, x.then);
    bind_actions(r.otherwise, x.otherwise);
    return x;
  }

  const rule_set& rules_;
  const city_index& city_;
  twin::problem_list problems_;
};

} // namespace

std::optional<twin::entity_kind> selected_kind(const rule& r,
                                               const selector& sel) {
  switch (sel.rel) {
    case relation::self:
      if (r.entity)
        return r.entity->kind;
      return r.for_each;
    case relation::entity:
      return sel.id.kind;
    case relation::approaching:
    case relation::leaving:
    case relation::segment:
      return entity_kind::road_segment;
    case relation::along:
    case relation::within:
    case relation::nearest:
    case relation::all:
      return sel.kind;
    case relation::matched:
      if (sel.clause < r.when.size()
          && r.when[sel.clause].what == clause::type::attribute
          && r.when[sel.clause].of.rel != relation::matched)
        return selected_kind(r, r.when[sel.clause].of);
      return std::nullopt;
  }
  return std::nullopt;
}

caf::expected<bound_rules> bind(std::shared_ptr<const rule_set> rules,
                                std::shared_ptr<const city_index> city) {
  binder b{*rules, *city};
  bound_rules result;
  for (uint32_t i = 0; i < rules->rules.size(); ++i)
    b.bind_rule(i, result);
  b.check_cycles();
  if (!b.problems().empty())
    return caf::make_error(twin::errc::invalid_config, b.problems().report());
  result.source = std::move(rules);
  result.city = std::move(city);
  return result;
}

uint32_t matched_clause(const action& a, const rule& r) {
  bool names_clause
    = (a.what == action_kind::command
       && (a.to.rel == relation::matched
           || (a.to.rel == relation::along && a.to.base == relation::matched)))
      || (a.what == action_kind::recommend
          && a.candidates.rel == relation::matched);
  if (names_clause)
    return a.what == action_kind::command ? a.to.clause : a.candidates.clause;
  for (uint32_t c = 0; c < r.when.size(); ++c)
    if (r.when[c].what == clause::type::attribute)
      return c;
  return 0;
}

} // namespace citytwin::rules
