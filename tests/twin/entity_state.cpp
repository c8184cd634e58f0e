// tests/twin/entity_state.cpp: the state transitions of every kind.
#include "twin/entity_state.hpp"

#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace citytwin::twin;

namespace {

constexpr time_ms t0 = 1'700'000'000'000;

reading at(entity_id id, quantity q, double value, time_ms t = t0) {
  return {id, t, value, q};
}

errc rejection(entity_state& st, const reading& x) {
  auto result = apply(st, x);
  REQUIRE_FALSE(result);
  return static_cast<errc>(result.error().code());
}

} // namespace

TEST_CASE("road segments derive congestion from speed", "[twin]") {
  auto st = make_state({entity_kind::road_segment, 1});
  st.as<road_segment_state>().speed_limit_kmh = 50;
  CHECK(*apply(st, at(st.id, quantity::mean_speed, 45)) == bit(quantity::mean_speed));
  CHECK(st.as<road_segment_state>().level == congestion::free_flow);
  apply(st, at(st.id, quantity::mean_speed, 30)); // 0.6 of the limit
  CHECK(st.as<road_segment_state>().level == congestion::moderate);
  apply(st, at(st.id, quantity::mean_speed, 15)); // 0.3
  CHECK(st.as<road_segment_state>().level == congestion::heavy);
  apply(st, at(st.id, quantity::mean_speed, 5)); // 0.1
  CHECK(st.as<road_segment_state>().level == congestion::jammed);
  // Repeating a value at the same time is a duplicate (a QoS 1
  // redelivery, a cluster's replay): no change, no delta, not counted.
  CHECK(*apply(st, at(st.id, quantity::mean_speed, 5)) == 0);
  CHECK(st.num_applied == 4);
}

TEST_CASE("a repeated value is counted when it is newer", "[twin]") {
  auto st = make_state({entity_kind::road_segment, 1});
  auto x = at(st.id, quantity::mean_speed, 40);
  CHECK(*apply(st, x) == bit(quantity::mean_speed));
  x.time += 1000;
  // Confirmed by a newer reading: applied and counted, but no delta.
  CHECK(*apply(st, x) == 0);
  CHECK(st.num_applied == 2);
  CHECK(st.updated == x.time);
  // Another value at the same time is no duplicate.
  x.value = 41;
  CHECK(*apply(st, x) == bit(quantity::mean_speed));
  CHECK(st.num_applied == 3);
}

TEST_CASE("signals count phase changes and refuse phases they lack", "[twin]") {
  auto st = make_state({entity_kind::intersection, 1});
  CHECK(rejection(st, at(st.id, quantity::signal_phase, 0))
        == errc::out_of_range); // unsignalised
  st.as<intersection_state>().num_phases = 4;
  REQUIRE(apply(st, at(st.id, quantity::signal_phase, 0)));
  REQUIRE(apply(st, at(st.id, quantity::signal_phase, 1, t0 + 30'000)));
  REQUIRE(apply(st, at(st.id, quantity::signal_phase, 2, t0 + 60'000)));
  const auto& s = st.as<intersection_state>();
  CHECK(s.phase == 2);
  CHECK(s.phase_changes == 2); // the first reading sets, it does not change
  CHECK(s.phase_since == t0 + 60'000);
  CHECK(rejection(st, at(st.id, quantity::signal_phase, 4, t0 + 90'000))
        == errc::out_of_range);
  CHECK(rejection(st, at(st.id, quantity::signal_phase, 1.5, t0 + 90'000))
        == errc::out_of_range);
}

TEST_CASE("lamps switch, count switch-ons and estimate power", "[twin]") {
  auto st = make_state({entity_kind::street_lamp, 1});
  st.as<street_lamp_state>().rated_power_w = 100;
  apply(st, at(st.id, quantity::dim_level, 1));
  apply(st, at(st.id, quantity::dim_level, 0.5, t0 + 1));
  apply(st, at(st.id, quantity::dim_level, 0, t0 + 2));
  apply(st, at(st.id, quantity::dim_level, 0.8, t0 + 3));
  const auto& s = st.as<street_lamp_state>();
  CHECK(s.on);
  CHECK(s.switch_count == 2); // off->on twice
  CHECK(s.power_w == Approx(80));
  apply(st, at(st.id, quantity::lamp_fault, 1, t0 + 4));
  CHECK(s.fault);
  CHECK(s.power_w == 0); // a faulty lamp draws nothing
  CHECK(rejection(st, at(st.id, quantity::lamp_fault, 0.5, t0 + 5))
        == errc::out_of_range);
}

TEST_CASE("bins fill up, report full, and count collections", "[twin]") {
  auto st = make_state({entity_kind::waste_bin, 1});
  apply(st, at(st.id, quantity::fill_level, 0.5));
  apply(st, at(st.id, quantity::fill_level, 0.95, t0 + 1000));
  CHECK(st.as<waste_bin_state>().full);
  apply(st, at(st.id, quantity::fill_level, 0.05, t0 + 2000));
  const auto& s = st.as<waste_bin_state>();
  CHECK_FALSE(s.full);
  CHECK(s.collections == 1);
  CHECK(s.last_emptied == t0 + 2000);
  // A small drop is sensor noise, not a collection.
  apply(st, at(st.id, quantity::fill_level, 0.3, t0 + 3000));
  apply(st, at(st.id, quantity::fill_level, 0.2, t0 + 4000));
  CHECK(s.collections == 1);
  CHECK(rejection(st, at(st.id, quantity::fill_level, 1.2, t0 + 5000))
        == errc::out_of_range);
}

TEST_CASE("traffic counters accumulate whole vehicle counts", "[twin]") {
  auto st = make_state({entity_kind::traffic_counter, 1});
  apply(st, at(st.id, quantity::vehicle_count, 12));
  apply(st, at(st.id, quantity::vehicle_count, 30, t0 + 1));
  apply(st, at(st.id, quantity::vehicle_flow, 1440, t0 + 1));
  CHECK(st.as<traffic_counter_state>().vehicles_total == 42);
  CHECK(st.as<traffic_counter_state>().flow_veh_h == 1440);
  CHECK(rejection(st, at(st.id, quantity::vehicle_count, 2.5, t0 + 2))
        == errc::out_of_range);
}

TEST_CASE("air quality derives the CAQI band of the worse pollutant",
          "[twin]") {
  auto st = make_state({entity_kind::air_quality, 1});
  apply(st, at(st.id, quantity::pm10, 20));
  CHECK(st.as<air_quality_state>().band == 1);
  apply(st, at(st.id, quantity::pm25, 40, t0 + 1)); // band 3 for PM2.5
  CHECK(st.as<air_quality_state>().band == 3);
  apply(st, at(st.id, quantity::pm10, 200, t0 + 2)); // beyond band 4
  CHECK(st.as<air_quality_state>().band == 5);
}

TEST_CASE("noise sensors keep their peak", "[twin]") {
  auto st = make_state({entity_kind::noise_sensor, 1});
  apply(st, at(st.id, quantity::noise_level, 70));
  apply(st, at(st.id, quantity::noise_level, 55, t0 + 1));
  CHECK(st.as<noise_sensor_state>().level_dba == 55);
  CHECK(st.as<noise_sensor_state>().peak_dba == 70);
}

TEST_CASE("parking derives occupancy and refuses more free than spaces",
          "[twin]") {
  auto st = make_state({entity_kind::parking_sensor, 1});
  st.as<parking_sensor_state>().capacity = 200;
  apply(st, at(st.id, quantity::free_spaces, 50));
  CHECK(st.as<parking_sensor_state>().occupancy == Approx(0.75));
  apply(st, at(st.id, quantity::free_spaces, 0, t0 + 1));
  CHECK(st.as<parking_sensor_state>().full);
  CHECK(rejection(st, at(st.id, quantity::free_spaces, 201, t0 + 2))
        == errc::out_of_range);
}

TEST_CASE("energy registers never run backwards", "[twin]") {
  auto st = make_state({entity_kind::energy_meter, 1});
  apply(st, at(st.id, quantity::energy, 1000));
  apply(st, at(st.id, quantity::energy, 1000.5, t0 + 1));
  CHECK(rejection(st, at(st.id, quantity::energy, 999, t0 + 2))
        == errc::out_of_range);
  CHECK(st.as<energy_meter_state>().energy_kwh == 1000.5);
  apply(st, at(st.id, quantity::power, -3000, t0 + 3)); // export is negative
  CHECK(st.as<energy_meter_state>().power_w == -3000);
}

TEST_CASE("cameras count people and vehicles", "[twin]") {
  auto st = make_state({entity_kind::camera, 1});
  apply(st, at(st.id, quantity::people_count, 17));
  apply(st, at(st.id, quantity::vehicle_count, 4));
  CHECK(st.as<camera_state>().people == 17);
  CHECK(st.as<camera_state>().vehicles == 4);
}

TEST_CASE("generic checks refuse bad readings and keep the state",
          "[twin]") {
  auto st = make_state({entity_kind::waste_bin, 1});
  REQUIRE(apply(st, at(st.id, quantity::fill_level, 0.4, t0 + 10)));
  auto before = st.as<waste_bin_state>().fill_level;
  CHECK(rejection(st, at(st.id, quantity::pm10, 3, t0 + 10))
        == errc::wrong_quantity);
  CHECK(rejection(st, at(st.id, quantity::fill_level,
                      std::numeric_limits<double>::quiet_NaN(), t0 + 10))
        == errc::not_finite);
  CHECK(rejection(st, at(st.id, quantity::fill_level,
                      std::numeric_limits<double>::infinity(), t0 + 10))
        == errc::not_finite);
  CHECK(rejection(st, at(st.id, quantity::fill_level, -0.1, t0 + 10))
        == errc::out_of_range);
  CHECK(rejection(st, at(st.id, quantity::fill_level, 0.9, t0 + 9))
        == errc::stale_reading);
  CHECK(st.as<waste_bin_state>().fill_level == before);
  CHECK(st.num_applied == 1);
  CHECK(st.updated == t0 + 10);
}

TEST_CASE("attributes expose measured and derived values", "[twin]") {
  auto st = make_state({entity_kind::street_lamp, 3});
  apply(st, at(st.id, quantity::dim_level, 1));
  CHECK(*value_of(st, quantity::dim_level) == 1);
  CHECK(*value_of(st, quantity::power) == 60); // default rated power
  CHECK_FALSE(value_of(st, quantity::pm10));
  bool has_on = false;
  for (const auto& a : attributes(st))
    has_on = has_on || (a.name == "on" && a.value == 1);
  CHECK(has_on);
}
