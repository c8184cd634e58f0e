// actors/synthetic_feed.cpp
#include "actors/synthetic_feed.hpp"

#include "actors/defaults.hpp"
#include "actors/shard.hpp"
#include "actors/type_ids.hpp"
#include "twin/error.hpp"
#include "twin/solar.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>

namespace citytwin::actors {

namespace {

using twin::entity_kind;
using twin::quantity;

// Shape of the synthetic city. Each value is a plausible urban figure,
// not a measurement; the feed exists to make the demo move.
namespace model {
constexpr double civil_twilight_deg = -6;
constexpr double night_dim_level = 0.5;     // 01:00..05:00 energy saving
constexpr double bin_emptied_level = 0.05;  // what a collection leaves
constexpr double bin_collect_at = 0.9;      // collection is called here
constexpr double max_bin_fill_per_h = 0.02; // busiest bins: 2 days to fill
constexpr double signal_cycle_s = 90;       // a common urban cycle time
constexpr double pm10_background = 12;      // µg/m³, clean air
constexpr double pm10_traffic = 35;         // added at peak traffic
constexpr double noise_background = 42;     // dB(A) at night
constexpr double noise_traffic = 28;        // added at peak traffic
constexpr double meter_peak_w = 40'000;     // a small commercial building
} // namespace model

double clamp01(double x) {
  return std::clamp(x, 0.0, 1.0);
}

} // namespace

caf::error synthetic_feed_config::validate() const {
  if (step_s <= 0 || tick.count() <= 0)
    return caf::make_error(twin::errc::invalid_config,
                           "feed step and tick must be positive");
  return caf::none;
}

synthetic_feed_model::synthetic_feed_model(std::shared_ptr<const twin::city> c,
                                           uint64_t seed)
    : city_(std::move(c)), rng_(seed) {
  for (const auto& p : city_->things) {
    if (p.id.kind == entity_kind::waste_bin) {
      bin_fill_.push_back(rng_.uniform(0, 0.6));
      bin_rate_.push_back(rng_.uniform(0.1, 1) * model::max_bin_fill_per_h);
    } else if (p.id.kind == entity_kind::energy_meter) {
      meter_energy_.push_back(std::floor(rng_.uniform(1e3, 1e5)));
    }
  }
}

double synthetic_feed_model::traffic_profile(double h) {
  auto bump = [h](double at, double width) {
    return std::exp(-((h - at) / width) * ((h - at) / width));
  };
  // Morning and evening peaks over a daytime plateau (a typical weekday
  // loop-detector curve).
  return std::min(1.0, 0.08 + 0.85 * bump(8, 1.3) + 0.92 * bump(17, 1.8)
                           + 0.45 * bump(13, 3.5));
}

double synthetic_feed_model::local_hour(twin::time_ms now) const {
  auto minutes = now / 60'000 + city_->utc_offset_min;
  auto in_day = ((minutes % 1440) + 1440) % 1440;
  return double(in_day) / 60.0;
}

double synthetic_feed_model::lamp_level(twin::time_ms now) const {
  double elevation = twin::sun_elevation_deg(city_->center, now);
  // Full output below civil dusk, off above the horizon, a ramp between.
  double level = clamp01(elevation / model::civil_twilight_deg);
  double h = local_hour(now);
  if (level >= 1 && h >= 1 && h < 5)
    level = model::night_dim_level;
  return std::round(level * 100) / 100;
}

twin::reading_batch synthetic_feed_model::step(twin::time_ms now, long step_s) {
  twin::reading_batch result;
  double load = traffic_profile(local_hour(now));
  auto emit = [&](twin::entity_id id, quantity q, double value) {
    result.push_back({id, now, value, q});
  };
  auto noisy = [&](double x, double spread) {
    return std::max(0.0, x * (1 + rng_.uniform(-spread, spread)));
  };
  for (auto* s : city_->roads.segments()) {
    twin::entity_id id{entity_kind::road_segment, s->number};
    double ratio = clamp01(noisy(load, 0.25));
    // Speed falls steeply near capacity (inverse of a BPR curve).
    double speed = s->speed_limit_kmh / (1 + 0.15 * std::pow(ratio / 0.8, 4));
    emit(id, quantity::vehicle_flow, std::round(ratio * s->capacity_veh_h));
    emit(id, quantity::mean_speed, std::round(speed * 10) / 10);
    emit(id, quantity::occupancy, std::round(ratio * 0.4 * 1000) / 1000);
  }
  for (auto* v : city_->roads.intersections())
    if (v->num_phases > 0) {
      auto phase = (now / 1000 / long(model::signal_cycle_s) + v->number)
                   % v->num_phases;
      if (auto i = commanded_.find(v->number); i != commanded_.end()) {
        const auto& told = i->second;
        if (told.mode != twin::signal_mode::normal)
          continue; // all red or flashing: no phase runs
        long cycle = 0;
        for (auto g : told.green_s)
          cycle += g;
        if (cycle > 0) {
          // Offsets per light, as the fixed cycle has them.
          auto at = (now / 1000 + long(v->number) * 7) % cycle;
          phase = 0;
          for (long start = told.green_s[0];
               at >= start && phase + 1 < v->num_phases;
               start += told.green_s[++phase]) {
          }
        }
      }
      emit({entity_kind::intersection, v->number}, quantity::signal_phase,
           double(phase));
    }
  double lamps = lamp_level(now);
  bool lamps_changed = lamps != last_lamp_level_;
  last_lamp_level_ = lamps;
  size_t bin = 0;
  size_t meter = 0;
  double hours = double(step_s) / 3600;
  for (const auto& p : city_->things) {
    switch (p.id.kind) {
      case entity_kind::street_lamp:
        if (lamps_changed)
          emit(p.id, quantity::dim_level, lamps);
        break;
      case entity_kind::waste_bin: {
        auto& fill = bin_fill_[bin];
        fill = fill >= model::bin_collect_at
                   ? model::bin_emptied_level
                   : clamp01(fill + bin_rate_[bin] * hours * (0.5 + load));
        ++bin;
        emit(p.id, quantity::fill_level, std::round(fill * 1000) / 1000);
        break;
      }
      case entity_kind::traffic_counter: {
        double flow = std::round(noisy(load, 0.2) * 1500);
        emit(p.id, quantity::vehicle_flow, flow);
        emit(p.id, quantity::vehicle_count, std::round(flow * hours));
        emit(p.id, quantity::mean_speed,
             std::round(noisy(50 * (1.1 - 0.5 * load), 0.1)));
        break;
      }
      case entity_kind::air_quality: {
        double pm10
            = noisy(model::pm10_background + model::pm10_traffic * load, 0.2);
        emit(p.id, quantity::pm10, std::round(pm10 * 10) / 10);
        emit(p.id, quantity::pm25, std::round(pm10 * 6.5) / 10);
        emit(p.id, quantity::no2, std::round(noisy(15 + 45 * load, 0.2)));
        break;
      }
      case entity_kind::noise_sensor:
        emit(p.id, quantity::noise_level,
             std::round(
                 noisy(model::noise_background + model::noise_traffic * load,
                       0.05)
                 * 10)
                 / 10);
        break;
      case entity_kind::parking_sensor: {
        double occupied = clamp01(noisy(0.2 + 0.75 * load, 0.1));
        emit(p.id, quantity::free_spaces,
             std::floor(p.rating * (1 - occupied)));
        break;
      }
      case entity_kind::energy_meter: {
        double power = noisy(model::meter_peak_w * (0.3 + 0.7 * load), 0.1);
        meter_energy_[meter] += power / 1000 * hours;
        emit(p.id, quantity::power, std::round(power));
        emit(p.id, quantity::energy,
             std::round(meter_energy_[meter] * 1000) / 1000);
        ++meter;
        break;
      }
      default:
        break;
    }
  }
  return result;
}

void synthetic_feed_model::follow(const twin::delta& d) {
  if ((d.changed & twin::actuation_bit) == 0
      || d.state.id.kind != entity_kind::intersection)
    return;
  commanded_[d.state.id.number] = d.state.as<twin::intersection_state>();
}

feed_actor::behavior_type
synthetic_feed(feed_actor::stateful_pointer<synthetic_feed_state> self,
               std::shared_ptr<const twin::city> c,
               synthetic_feed_config config, twin_actor sink) {
  if (auto err = config.validate()) {
    self->quit(err);
    return feed_actor::behavior_type::make_empty_behavior();
  }
  self->state.model
      = std::make_unique<synthetic_feed_model>(std::move(c), config.seed);
  self->state.config = config;
  self->state.sink = std::move(sink);
  self->state.now = config.start;
  // The simulated controllers hear what the twin commanded.
  self
    ->request(self->state.sink, defaults::internal_timeout,
              caf::subscribe_atom_v,
              caf::actor_cast<subscriber_actor>(self),
              subscription_filter{}.with(entity_kind::intersection))
    .then([](caf::ok_atom) {},
          [](caf::error& err) {
            // A feed without it still runs; the lights just ignore
            // commands, and the log says why.
            std::cerr << "citytwin: synthetic feed cannot follow commands: "
                      << twin::describe(err) << '\n';
          });
  return {
      [self](const twin::delta_batch& batch) {
        for (const auto& d : batch)
          self->state.model->follow(d);
      },
      [self](caf::tick_atom) {
        auto& st = self->state;
        st.now += st.config.step_s * 1000;
        auto readings = st.model->step(st.now, st.config.step_s);
        if (const auto& hosted = st.config.hosted; !hosted.empty())
          readings.erase(std::remove_if(readings.begin(), readings.end(),
                                        [&hosted](const twin::reading& x) {
                                          return !hosted[shard_of(
                                            x.target, hosted.size())];
                                        }),
                         readings.end());
        if (st.config.keep)
          if (auto err = st.config.keep(readings))
            std::cerr << "citytwin: synthetic feed not archived: "
                      << twin::describe(err) << '\n';
        self->send(st.sink, observe_atom_v, std::move(readings));
        self->delayed_send(self, st.config.tick, caf::tick_atom_v);
      },
      [self](caf::get_atom) { return self->state.now; },
  };
}

} // namespace citytwin::actors
