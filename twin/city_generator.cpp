// twin/city_generator.cpp
#include "twin/city_generator.hpp"

#include "twin/error.hpp"
#include "twin/random.hpp"

#include <algorithm>
#include <cmath>

namespace citytwin::twin {

namespace {

// Layout of the generated town. Values follow a typical European mid-size
// town: 150 m blocks, an arterial every fifth street.
namespace layout {
constexpr double block_m = 150;
constexpr double jitter_m = 20;
constexpr size_t arterial_every = 5;
constexpr double arterial_speed_kmh = 50;
constexpr double local_speed_kmh = 30;
constexpr double arterial_lane_capacity = 900; // veh/h per lane, signalised
constexpr double local_lane_capacity = 700;
constexpr double arterial_lamp_w = 100;
constexpr double local_lamp_w = 40;
constexpr double signal_chance_minor = 0.3; // arterial meets local street
constexpr size_t max_segments = 50'000'000;
constexpr size_t max_things = 200'000'000;
} // namespace layout

// The demo town's proportions, per directed segment.
constexpr double lamps_per_segment = 2.5;
constexpr double bins_per_segment = 0.25;
constexpr double sensors_per_segment = 0.15;

struct street {
  uint32_t forward; // segment number a -> b
  uint32_t a;       // intersection numbers
  uint32_t b;
  bool arterial;
};

struct sensor_share {
  entity_kind kind;
  double share;
};

constexpr sensor_share sensor_mix[] = {
    {entity_kind::traffic_counter, 0.30}, {entity_kind::air_quality, 0.20},
    {entity_kind::noise_sensor, 0.20},    {entity_kind::parking_sensor, 0.15},
    {entity_kind::energy_meter, 0.15},
};

class generator {
public:
  explicit generator(const generator_options& opts)
      : opts_(opts), rng_(opts.seed) {
    result_.name = opts.name;
    result_.center = opts.center;
    result_.utc_offset_min = opts.utc_offset_min;
  }

  city run() {
    grid_size();
    intersections();
    streets();
    auto n = opts_.segments;
    lamps(opts_.lamps ? opts_.lamps : size_t(lamps_per_segment * n));
    bins(opts_.bins ? opts_.bins : size_t(bins_per_segment * n));
    sensors(opts_.sensors ? opts_.sensors : size_t(sensors_per_segment * n));
    return std::move(result_);
  }

private:
  // A rows x cols grid has 4*rows*cols - 2*rows - 2*cols directed segments;
  // pick a near-square grid whose count is closest to the request.
  void grid_size() {
    auto n = static_cast<double>(opts_.segments);
    rows_ = std::max<size_t>(2, size_t(std::floor((1 + std::sqrt(1 + n)) / 2)));
    cols_ = std::max<size_t>(
        2, size_t(std::llround((n + 2.0 * rows_) / (4.0 * rows_ - 2))));
  }

  bool arterial_line(size_t i) const {
    return i % layout::arterial_every == layout::arterial_every / 2;
  }

  uint32_t vertex_number(size_t row, size_t col) const {
    return static_cast<uint32_t>(row * cols_ + col);
  }

  void intersections() {
    for (size_t row = 0; row < rows_; ++row)
      for (size_t col = 0; col < cols_; ++col) {
        double east = (double(col) - double(cols_ - 1) / 2) * layout::block_m
                      + rng_.uniform(-layout::jitter_m, layout::jitter_m);
        double north = (double(row) - double(rows_ - 1) / 2) * layout::block_m
                       + rng_.uniform(-layout::jitter_m, layout::jitter_m);
        intersection_info info;
        info.number = vertex_number(row, col);
        info.where = rounded(offset(opts_.center, east, north));
        bool major_row = arterial_line(row);
        bool major_col = arterial_line(col);
        if (major_row && major_col)
          info.num_phases = 4;
        else if ((major_row || major_col)
                 && rng_.chance(layout::signal_chance_minor))
          info.num_phases = 2;
        result_.roads.add_intersection(info);
      }
  }

  void streets() {
    for (size_t row = 0; row < rows_; ++row)
      for (size_t col = 0; col < cols_; ++col) {
        if (col + 1 < cols_)
          street_between(vertex_number(row, col), vertex_number(row, col + 1),
                         arterial_line(row), "Street " + std::to_string(row));
        if (row + 1 < rows_)
          street_between(vertex_number(row, col), vertex_number(row + 1, col),
                         arterial_line(col), "Avenue " + std::to_string(col));
      }
  }

  void street_between(uint32_t a, uint32_t b, bool arterial,
                      const std::string& name) {
    auto& roads = result_.roads;
    double length = std::round(distance_m(roads.find_intersection(a)->where,
                                          roads.find_intersection(b)->where)
                               * 10)
                    / 10;
    streets_.push_back({next_segment_, a, b, arterial});
    for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
      segment_info s;
      s.number = next_segment_++;
      s.from = from;
      s.to = to;
      s.length_m = length;
      s.lanes = arterial ? 2 : 1;
      s.speed_limit_kmh
          = arterial ? layout::arterial_speed_kmh : layout::local_speed_kmh;
      s.capacity_veh_h = s.lanes
                         * (arterial ? layout::arterial_lane_capacity
                                     : layout::local_lane_capacity);
      s.name = name;
      roads.add_segment(std::move(s));
    }
  }

  geo_point along(const street& s, double t) const {
    auto& roads = result_.roads;
    return rounded(interpolate(roads.find_intersection(s.a)->where,
                               roads.find_intersection(s.b)->where, t));
  }

  // Lamps stand at equal spacing along all streets, one side.
  void lamps(size_t count) {
    double total = 0;
    for (const auto& s : streets_)
      total += result_.roads.find_segment(s.forward)->length_m;
    double spacing = total / double(std::max<size_t>(count, 1));
    double street_start = 0;
    size_t placed = 0;
    for (const auto& s : streets_) {
      double length = result_.roads.find_segment(s.forward)->length_m;
      while (placed < count
             && (double(placed) + 0.5) * spacing < street_start + length) {
        double t = ((double(placed) + 0.5) * spacing - street_start) / length;
        result_.things.push_back(
            {{entity_kind::street_lamp, uint32_t(placed)},
             s.forward,
             along(s, t),
             s.arterial ? layout::arterial_lamp_w : layout::local_lamp_w});
        ++placed;
      }
      street_start += length;
    }
  }

  void bins(size_t count) {
    constexpr double sizes_l[] = {120, 240, 240, 660, 1100};
    for (size_t i = 0; i < count; ++i) {
      const auto& s = streets_[rng_.below(streets_.size())];
      double capacity = sizes_l[rng_.below(std::size(sizes_l))];
      result_.things.push_back({{entity_kind::waste_bin, uint32_t(i)},
                                s.forward,
                                along(s, rng_.uniform(0.1, 0.9)),
                                capacity});
    }
  }

  void sensors(size_t count) {
    size_t assigned = 0;
    for (size_t k = 0; k < std::size(sensor_mix); ++k) {
      bool last = k + 1 == std::size(sensor_mix);
      size_t n = last ? count - assigned
                      : size_t(std::llround(sensor_mix[k].share * count));
      n = std::min(n, count - assigned);
      for (size_t i = 0; i < n; ++i)
        place_sensor(sensor_mix[k].kind, uint32_t(i));
      assigned += n;
    }
  }

  void place_sensor(entity_kind kind, uint32_t number) {
    // Traffic counters go on arterials where there are any: that is where
    // cities count.
    const street* s = &streets_[rng_.below(streets_.size())];
    if (kind == entity_kind::traffic_counter)
      for (int tries = 0; tries < 8 && !s->arterial; ++tries)
        s = &streets_[rng_.below(streets_.size())];
    double rating = 0;
    if (kind == entity_kind::parking_sensor)
      rating = double(20 + rng_.below(381)); // 20..400 spaces
    result_.things.push_back({{kind, number},
                              s->forward,
                              along(*s, rng_.uniform(0.1, 0.9)),
                              rating});
  }

  // Coordinates are stored with 7 decimals; round now so a generated city
  // and the same city read back from its file are equal.
  static geo_point rounded(geo_point p) {
    return {std::round(p.lon * 1e7) / 1e7, std::round(p.lat * 1e7) / 1e7};
  }

  const generator_options& opts_;
  random_stream rng_;
  size_t rows_ = 0;
  size_t cols_ = 0;
  uint32_t next_segment_ = 0;
  std::vector<street> streets_;
  city result_;
};

} // namespace

caf::error generator_options::validate() const {
  auto fail = [](std::string why) {
    return caf::make_error(errc::invalid_city, std::move(why));
  };
  if (name.empty()
      || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
             != std::string::npos)
    return fail("--name must be letters, digits, '-' or '_'");
  if (!valid(center) || std::abs(center.lat) > 80)
    return fail("--lon/--lat must be a position below 80 degrees latitude");
  if (segments < 8 || segments > layout::max_segments)
    return fail("--segments must be between 8 and "
                + std::to_string(layout::max_segments));
  if (lamps + bins + sensors > layout::max_things)
    return fail("too many lamps, bins and sensors (at most "
                + std::to_string(layout::max_things) + ")");
  if (std::abs(utc_offset_min) > 14 * 60)
    return fail("--utc-offset must lie within +-840 minutes");
  return caf::none;
}

caf::expected<city> generate_city(const generator_options& options) {
  if (auto err = options.validate())
    return err;
  return generator{options}.run();
}

} // namespace citytwin::twin
