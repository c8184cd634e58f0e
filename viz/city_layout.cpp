// viz/city_layout.cpp
#include "viz/city_layout.hpp"

#include "twin/json_text.hpp"

#include <algorithm>

namespace citytwin::viz {

namespace {

// `"name":` after the first member.
void key(std::string& out, const char* name) {
  if (out.size() > 1)
    out += ',';
  out += '"';
  out += name;
  out += "\":";
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
  // Each entity's JSON is written as text, members in name order as
  // nlohmann writes them: a million documents built only to be dumped
  // were most of the layout's share of the boot. `head` holds the members
  // before "id", `middle` those between "kind" and "n", `tail` the rest.
  items_.reserve(c.num_entities());
  auto add = [this](twin::entity_id id, geo_box box, std::string head,
                    std::string_view middle, std::string_view tail) {
    auto& text = head;
    key(text, "id");
    twin::append_json_string(text, twin::to_urn(id, city_));
    key(text, "kind");
    twin::append_json_string(text, twin::to_string(id.kind));
    text += middle;
    key(text, "n");
    text += std::to_string(id.number);
    text += tail;
    text += '}';
    index_.emplace(id, items_.size());
    items_.push_back({id, box, std::move(text)});
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
        std::string head = "{";
        key(head, "coords");
        head += '[';
        for (size_t i = 0; i < line.size(); ++i) {
          if (i > 0)
            head += ',';
          twin::append_json_position(head, line[i]);
        }
        head += ']';
        std::string middle = ",\"lanes\":" + std::to_string(s->lanes)
                             + ",\"limit\":";
        twin::append_json_number(middle, s->speed_limit_kmh);
        std::string tail = ",\"name\":";
        twin::append_json_string(tail, s->name);
        add({kind, s->number}, box_of(line), std::move(head), middle, tail);
      }
    } else if (kind == twin::entity_kind::intersection) {
      for (const auto* x : c.roads.intersections()) {
        std::string head = "{";
        key(head, "at");
        twin::append_json_position(head, x->where);
        add({kind, x->number}, {x->where, x->where}, std::move(head), {},
            ",\"phases\":" + std::to_string(x->num_phases));
      }
    } else {
      for (const auto& p : c.things)
        if (p.id.kind == kind) {
          std::string head = "{";
          key(head, "at");
          twin::append_json_position(head, p.where);
          add(p.id, {p.where, p.where}, std::move(head), {},
              ",\"segment\":" + std::to_string(p.segment));
        }
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
  // The head's members in name order, as nlohmann wrote them; the
  // sections follow.
  std::string result = "{\"bounds\":[";
  twin::append_json_position(result, bounds_.min);
  result += ',';
  twin::append_json_position(result, bounds_.max);
  result += "],\"center\":";
  twin::append_json_position(result, center_);
  result += ",\"city\":";
  twin::append_json_string(result, city_);
  result += ",\"type\":\"layout\"";
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
