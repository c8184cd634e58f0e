// viz/city_layout.cpp
#include "viz/city_layout.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace citytwin::viz {

namespace {

nlohmann::json point(twin::geo_point p) {
  return nlohmann::json::array({p.lon, p.lat});
}

geo_box box_of(const std::vector<twin::geo_point>& points) {
  geo_box result{points.front(), points.front()};
  for (auto p : points) {
    result.min.lon = std::min(result.min.lon, p.lon);
    result.min.lat = std::min(result.min.lat, p.lat);
    result.max.lon = std::max(result.max.lon, p.lon);
    result.max.lat = std::max(result.max.lat, p.lat);
  }
  return result;
}

// Which array of the layout frame an entity of `kind` goes to.
const char* section_of(twin::entity_kind kind) {
  switch (kind) {
    case twin::entity_kind::road_segment:
      return "segments";
    case twin::entity_kind::intersection:
      return "intersections";
    default:
      return "things";
  }
}

} // namespace

city_layout::city_layout(const twin::city& c)
  : city_(c.name), center_(c.center), bounds_{c.center, c.center} {
  auto add = [this](twin::entity_id id, geo_box box, nlohmann::json j) {
    j["id"] = twin::to_urn(id, city_);
    j["kind"] = std::string{twin::to_string(id.kind)};
    j["n"] = id.number;
    index_.emplace(id, items_.size());
    items_.push_back({id, box, j.dump()});
    bounds_ = box_of({bounds_.min, bounds_.max, box.min, box.max});
  };
  if (c.num_entities() > 0) {
    // Start the bounds from a real entity, not from the declared center.
    auto first = c.roads.intersections();
    if (!first.empty())
      bounds_ = {first.front()->where, first.front()->where};
  }
  for (auto kind : twin::all_entity_kinds) {
    if (kind == twin::entity_kind::road_segment) {
      for (const auto* s : c.roads.segments()) {
        auto line = c.roads.geometry(*s);
        nlohmann::json coords = nlohmann::json::array();
        for (auto p : line)
          coords.push_back(point(p));
        add({kind, s->number}, box_of(line),
            {{"name", s->name},
             {"lanes", s->lanes},
             {"limit", s->speed_limit_kmh},
             {"coords", std::move(coords)}});
      }
    } else if (kind == twin::entity_kind::intersection) {
      for (const auto* x : c.roads.intersections())
        add({kind, x->number}, {x->where, x->where},
            {{"at", point(x->where)}, {"phases", x->num_phases}});
    } else {
      for (const auto& p : c.things)
        if (p.id.kind == kind)
          add(p.id, {p.where, p.where},
              {{"at", point(p.where)}, {"segment", p.segment}});
    }
  }
}

const geo_box* city_layout::where(twin::entity_id id) const {
  auto i = index_.find(id);
  return i == index_.end() ? nullptr : &items_[i->second].box;
}

size_t city_layout::position(twin::entity_id id) const {
  auto i = index_.find(id);
  return i == index_.end() ? items_.size() : i->second;
}

bool city_layout::accepts(const stream_filter& filter,
                          twin::entity_id id) const {
  if (!filter.accepts(id.kind))
    return false;
  if (!filter.bbox)
    return true;
  const auto* box = where(id);
  return box != nullptr && filter.bbox->intersects(*box);
}

std::string city_layout::render(const stream_filter& filter) const {
  nlohmann::json head = {
    {"type", "layout"},
    {"city", city_},
    {"center", point(center_)},
    {"bounds", nlohmann::json::array({point(bounds_.min), point(bounds_.max)})},
  };
  auto result = head.dump();
  result.pop_back(); // the closing brace; the sections follow
  for (const char* section : {"segments", "intersections", "things"}) {
    result += ",\"";
    result += section;
    result += "\":[";
    bool first = true;
    for (const auto& x : items_) {
      if (section_of(x.id.kind) != std::string_view{section}
          || !filter.accepts(x.id.kind, x.box))
        continue;
      if (!first)
        result += ',';
      first = false;
      result += x.json;
    }
    result += ']';
  }
  result += '}';
  return result;
}

} // namespace citytwin::viz
