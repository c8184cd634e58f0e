// tests/scenarios/dynamic/queue_model.cpp
#include "scenarios/dynamic/queue_model.hpp"

#include "scenarios/dynamic/run_serial.hpp"
#include "twin/random.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>

using namespace citytwin::scenarios::dynamic;

namespace {

/// A chain of links 0 -> 1 -> ... -> n, each `length` m at 10 m/s.
road_network chain(int n, float length, float capacity_veh_h,
                   uint8_t lanes = 1) {
  road_network net;
  for (int i = 0; i < n; ++i)
    net.add_link(i, i + 1, i, length, 10, capacity_veh_h, lanes);
  net.finish();
  for (uint32_t i = 0; i < net.num_nodes; ++i)
    net.node_x[i] = i;
  return net;
}

/// A square grid of w x w nodes with two-way links of 200 m.
road_network grid(int w, float capacity_veh_h) {
  road_network net;
  uint32_t seg = 0;
  auto id = [w](int x, int y) { return static_cast<uint32_t>(y * w + x); };
  for (int y = 0; y < w; ++y)
    for (int x = 0; x < w; ++x) {
      if (x + 1 < w) {
        net.add_link(id(x, y), id(x + 1, y), seg++, 200, 13.9f,
                     capacity_veh_h, 1);
        net.add_link(id(x + 1, y), id(x, y), seg++, 200, 13.9f,
                     capacity_veh_h, 1);
      }
      if (y + 1 < w) {
        net.add_link(id(x, y), id(x, y + 1), seg++, 200, 13.9f,
                     capacity_veh_h, 1);
        net.add_link(id(x, y + 1), id(x, y), seg++, 200, 13.9f,
                     capacity_veh_h, 1);
      }
    }
  net.finish();
  for (int y = 0; y < w; ++y)
    for (int x = 0; x < w; ++x) {
      net.node_x[id(x, y)] = x * 200;
      net.node_y[id(x, y)] = y * 200;
    }
  return net;
}

/// `n` trips 3 s apart planned along the bottom row of `grid`: link 3
/// ((0,1) -> (0,0)), link 0 ((0,0) -> (1,0)), link 4 ((1,0) -> (2,0)).
demand along_bottom_row(int n) {
  demand result;
  for (int i = 0; i < n; ++i)
    result.add_routed(i * 3.0, {3, 0, 4});
  return result;
}

/// Seconds between the first and the last arrival among trips
/// [begin, end) of a run (all of them by default).
double arrival_spread(const model_result& r, size_t begin = 0,
                      size_t end = SIZE_MAX) {
  double first = 1e9, last = 0;
  for (size_t i = begin; i < std::min(end, r.trips.size()); ++i) {
    first = std::min(first, r.trips[i].arrived_s);
    last = std::max(last, r.trips[i].arrived_s);
  }
  return last - first;
}

/// Closes `link` from the start.
network_edit closing(uint32_t link) {
  network_edit result;
  result.at_s = 0;
  result.link = link;
  result.closed = true;
  return result;
}

model_options options(double horizon, uint32_t parts = 1) {
  model_options o;
  o.horizon_s = horizon;
  o.num_partitions = parts;
  o.reroute_period_s = 0;
  o.output_interval_s = 60;
  return o;
}

} // namespace

TEST_CASE("a bottleneck releases vehicles at its capacity",
          "[scenarios][dynamic]") {
  // 100 vehicles start together on a 1800 veh/h link (0.5 veh/s): the
  // last leaves about 200 s after the first; nobody is faster than free
  // flow.
  auto net = chain(2, 100, 1800);
  demand dem;
  for (int i = 0; i < 100; ++i)
    dem.add_routed(0, {0, 1});
  queue_model model(net, dem, options(3600));
  auto r = run_serial(model);
  REQUIRE(r.counts.arrived == 100);
  for (auto& t : r.trips) {
    CHECK(t.outcome == trip_outcome::arrived);
    CHECK(t.arrived_s - t.inserted_s >= 20 - 1e-9); // 2 x 10 s free flow
    CHECK(t.route_length_m == Approx(200));
  }
  CHECK(arrival_spread(r) == Approx(198).margin(3));
}

TEST_CASE("a full link holds back the link before it",
          "[scenarios][dynamic]") {
  // Link 1 stores 100 m / 7.5 m = 13 vehicles and drains at 360 veh/h
  // (one per 10 s). Link 0 drains at 3600 veh/h, but once link 1 is full
  // it can only pass one vehicle per 10 s too: spillback.
  road_network net;
  net.add_link(0, 1, 0, 1000, 10, 3600, 1);
  net.add_link(1, 2, 1, 100, 10, 360, 1);
  net.add_link(2, 3, 2, 1000, 10, 3600, 1);
  net.finish();
  demand dem;
  for (int i = 0; i < 60; ++i)
    dem.add_routed(i, {0, 1, 2});
  auto opts = options(4000);
  opts.stuck_limit_s = 1e9; // no teleports: test the pure queue
  queue_model model(net, dem, opts);
  auto r = run_serial(model);
  REQUIRE(r.counts.arrived == 60);
  CHECK(r.counts.teleports == 0);
  // The link-1 queue never exceeds its storage; link 0 queues behind it.
  auto& s = r.links;
  float max_q0 = 0, max_q1 = 0;
  for (size_t k = 0; k < s.num_intervals(); ++k) {
    max_q0 = std::max(max_q0, s.queue_veh[k * 3 + 0]);
    max_q1 = std::max(max_q1, s.queue_veh[k * 3 + 1]);
  }
  CHECK(max_q1 <= 13);
  CHECK(max_q0 > 0);
  // 60 vehicles through a one-per-10-s bottleneck take about 600 s.
  double last = 0;
  for (auto& t : r.trips)
    last = std::max(last, t.arrived_s);
  CHECK(last == Approx(100 + 10 + 600 + 100).margin(30));
}

TEST_CASE("a signal lets vehicles go only in green", "[scenarios][dynamic]") {
  auto net = chain(2, 100, 3600);
  // Link 0 is green for the first 30 s of a 60 s cycle.
  net.green_intervals.push_back({0, 30});
  net.gates.push_back({60, 0, 0, 1});
  net.gate[0] = 0;
  demand dem;
  for (int i = 0; i < 200; ++i)
    dem.add_routed(i * 2.0, {0, 1});
  queue_model model(net, dem, options(3600));
  auto r = run_serial(model);
  REQUIRE(r.counts.arrived == 200);
  // Each vehicle left link 0 at arrival - 10 s (link 1's free time).
  for (auto& t : r.trips) {
    auto left0 = std::fmod(t.arrived_s - 10, 60.0);
    CHECK(left0 < 30);
  }
}

TEST_CASE("results do not depend on the number of partitions",
          "[scenarios][dynamic]") {
  auto net = grid(8, 900);
  // Mixed demand: routed by the model, with rerouting every 60 s.
  demand dem;
  citytwin::twin::random_stream rng(3);
  for (int i = 0; i < 3000; ++i) {
    auto o = static_cast<uint32_t>(rng.below(net.num_links()));
    auto d = static_cast<uint32_t>(rng.below(net.num_links()));
    dem.add_open(rng.uniform(0, 900), o, d);
  }
  auto run = [&](uint32_t parts) {
    auto opts = options(3600, parts);
    opts.reroute_period_s = 60;
    queue_model model(net, dem, opts);
    return run_serial(model);
  };
  auto one = run(1);
  auto two = run(2);
  auto three = run(3);
  REQUIRE(one.counts.arrived > 2500);
  for (size_t i = 0; i < dem.trips.size(); ++i) {
    CHECK(one.trips[i].arrived_s == two.trips[i].arrived_s);
    CHECK(one.trips[i].arrived_s == three.trips[i].arrived_s);
    CHECK(one.trips[i].route_length_m == two.trips[i].route_length_m);
  }
  CHECK(one.links.flow_veh_h == two.links.flow_veh_h);
  CHECK(one.links.queue_veh == three.links.queue_veh);
}

TEST_CASE("a closure makes vehicles detour and strands none",
          "[scenarios][dynamic]") {
  auto net = grid(4, 900);
  // Planned along the bottom row; its link 0 is closed.
  auto dem = along_bottom_row(50);
  queue_model model(net, dem, options(3600));
  model.add_edit(closing(0));
  auto r = run_serial(model);
  CHECK(r.counts.arrived == 50);
  for (auto& t : r.trips)
    CHECK(t.route_length_m > 600); // the detour is longer than 3 links
  // The closed link carried nobody.
  for (size_t k = 0; k < r.links.num_intervals(); ++k)
    CHECK(r.links.flow_veh_h[k * r.links.num_links + 0] == 0);
}

TEST_CASE("a lone vehicle crosses idle roads at free-flow speed",
          "[scenarios][dynamic]") {
  // Ten links of 100 m at 10 m/s that let 900 veh/h out: a quarter of a
  // vehicle per step. An idle road has its capacity ready; the vehicle
  // must not wait for it to accrue at every link end (it did: 3 steps
  // each, 30 % on top of the free-flow time).
  auto net = chain(10, 100, 900);
  demand dem;
  std::vector<uint32_t> route;
  for (uint32_t l = 0; l < 10; ++l)
    route.push_back(l);
  dem.add_routed(0, route);
  dem.add_routed(500, route); // after the first has long left
  queue_model model(net, dem, options(1200));
  auto r = run_serial(model);
  REQUIRE(r.counts.arrived == 2);
  for (const auto& t : r.trips) {
    CHECK(t.duration_s() >= 100);
    CHECK(t.duration_s() <= 100 + 10); // at most a step per link
  }
  // Capacity still binds a queue: 20 vehicles at once need 80 s more
  // (less a step: an idle road holds a step's worth beyond one vehicle).
  demand crowd;
  for (int i = 0; i < 20; ++i)
    crowd.add_routed(0, route);
  queue_model busy(net, crowd, options(1200));
  auto b = run_serial(busy);
  double last = 0;
  for (const auto& t : b.trips)
    last = std::max(last, t.arrived_s);
  CHECK(last >= 100 + 19 * 4 - 1);
}

TEST_CASE("a signal or lane edit during a closure keeps the road closed",
          "[scenarios][dynamic]") {
  auto net = grid(4, 900);
  auto dem = along_bottom_row(50);
  queue_model model(net, dem, options(3600));
  model.add_edit(closing(0));
  // More green and fewer lanes on the closed road, as applied actions
  // and road works do: neither opens it.
  network_edit gate;
  gate.at_s = 10;
  gate.link = 0;
  gate.gate = net.add_fixed_gate(60, 0.5);
  model.add_edit(gate);
  network_edit lanes;
  lanes.at_s = 20;
  lanes.link = 0;
  lanes.discharge_veh_s = 0.1f;
  model.add_edit(lanes);
  auto r = run_serial(model);
  CHECK(r.counts.arrived == 50);
  for (size_t k = 0; k < r.links.num_intervals(); ++k)
    CHECK(r.links.flow_veh_h[k * r.links.num_links + 0] == 0);
}

TEST_CASE("trips without a path are counted as unroutable",
          "[scenarios][dynamic]") {
  // Two separate one-way links: no way from the first to the second.
  road_network net;
  net.add_link(0, 1, 0, 100, 10, 900, 1);
  net.add_link(2, 3, 1, 100, 10, 900, 1);
  net.finish();
  demand dem;
  dem.add_open(0, 0, 1);
  dem.add_open(0, 0, 0);
  queue_model model(net, dem, options(600));
  auto r = run_serial(model);
  CHECK(r.counts.unroutable == 1);
  CHECK(r.counts.arrived == 1);
  CHECK(r.trips[0].outcome == trip_outcome::unroutable);
}

TEST_CASE("a car park exit meters departures", "[scenarios][dynamic]") {
  auto net = chain(2, 100, 3600);
  demand dem;
  dem.parkings.push_back({"P1", 0, 600.0f / 3600}); // 600 veh/h
  for (int i = 0; i < 100; ++i)
    dem.add_routed(0, {0, 1}, 0, 0);
  queue_model model(net, dem, options(3600));
  auto r = run_serial(model);
  REQUIRE(r.counts.arrived == 100);
  double last_insert = 0;
  for (auto& t : r.trips)
    last_insert = std::max(last_insert, t.inserted_s);
  CHECK(last_insert == Approx(99 * 6).margin(7)); // one per 6 s
}

TEST_CASE("vehicles still driving at the horizon are reported",
          "[scenarios][dynamic]") {
  auto net = chain(2, 1000, 900);
  demand dem;
  dem.add_routed(0, {0, 1});
  dem.add_routed(500, {0, 1});
  dem.add_routed(50, {0, 1}); // enters at 50 s, needs 200 s
  queue_model model(net, dem, options(120));
  auto r = run_serial(model);
  CHECK(r.counts.arrived == 0);
  CHECK(r.counts.en_route == 2);
  CHECK(r.counts.waiting == 1);
  CHECK(r.counts.trips == 3);
}

TEST_CASE("a vehicle already along its first road drives only the rest",
          "[scenarios][dynamic]") {
  // Three links of 100 m at 10 m/s: a vehicle of the fork 7 s along the
  // first one needs 3 s of it and 20 s of the others.
  auto net = chain(3, 100, 1800);
  demand dem;
  dem.add_on_road(0, 0, 7, 2, 0);
  dem.add_open(0, 0, 2);
  queue_model model(net, dem, options(600));
  auto r = run_serial(model);
  REQUIRE(r.counts.arrived == 2);
  CHECK(r.trips[0].arrived_s == Approx(23).margin(3));
  CHECK(r.trips[1].arrived_s == Approx(30).margin(3));
  // Never less than nothing: a head start beyond the road is the road.
  demand beyond;
  beyond.add_on_road(0, 0, 50, 2, 0);
  queue_model again(net, beyond, options(600));
  CHECK(run_serial(again).trips[0].arrived_s == Approx(20).margin(3));
}

TEST_CASE("a trip to a place arrives by whichever road reaches it first",
          "[scenarios][dynamic]") {
  // On the 3 x 3 grid, node 8 (2,2) has roads in from 5 (2,1) and from
  // 7 (1,2). From node 2 (2,0) the way in is from 5: two roads. A trip
  // to the road 7 -> 8 must go round (four roads); a trip to the place
  // (node 8) given the same road arrives after two.
  auto net = grid(3, 1800);
  uint32_t from_7 = none, out_of_2 = none;
  for (uint32_t l = 0; l < net.num_links(); ++l) {
    if (net.from[l] == 7 && net.to[l] == 8)
      from_7 = l;
    if (net.from[l] == 1 && net.to[l] == 2)
      out_of_2 = l; // the origin road ends at node 2
  }
  REQUIRE(from_7 != none);
  REQUIRE(out_of_2 != none);
  demand dem;
  dem.add_open(0, out_of_2, from_7);
  dem.add_to_node(0, out_of_2, from_7);
  for (uint32_t parts : {1u, 2u}) {
    queue_model model(net, dem, options(600, parts));
    auto r = run_serial(model);
    REQUIRE(r.counts.arrived == 2);
    // 200 m at 13.9 m/s: about 14.4 s a road.
    CHECK(r.trips[0].route_length_m == Approx(5 * 200));
    CHECK(r.trips[1].route_length_m == Approx(3 * 200));
    CHECK(r.trips[1].arrived_s < r.trips[0].arrived_s);
  }
  // A trip whose first road already ends at its place arrives there.
  demand near;
  near.add_to_node(0, out_of_2, out_of_2);
  queue_model model(net, near, options(600));
  auto r = run_serial(model);
  REQUIRE(r.counts.arrived == 1);
  CHECK(r.trips[0].route_length_m == Approx(200));
}

TEST_CASE("a trip that departs long after the start finds its way",
          "[scenarios][dynamic]") {
  // Trees are kept only for destinations someone heads for before they
  // are next due; a late trip must still get one, with rerouting every
  // 120 s and without rerouting (trees from the start only).
  auto net = grid(4, 1800);
  demand dem;
  dem.add_open(10, 0, 20);
  dem.add_open(1000, 0, 21);   // another destination, much later
  dem.add_to_node(2500, 0, 22); // and a place, later still
  for (double period : {120.0, 0.0}) {
    auto o = options(3600, 2);
    o.reroute_period_s = period;
    queue_model model(net, dem, o);
    auto r = run_serial(model);
    INFO("reroute period " << period);
    CHECK(r.counts.arrived == 3);
    CHECK(r.counts.unroutable == 0);
  }
}

TEST_CASE("a link lets out its capacity between whole vehicles per step",
          "[scenarios][dynamic]") {
  // 2600 veh/h is 0.72 vehicles a step and 4700 veh/h 1.31: a link must
  // keep the fraction it cannot use in one step (dropping it let 1800
  // and 3600 veh/h out).
  for (float capacity : {2600.0f, 4700.0f}) {
    auto net = chain(2, 100, capacity, 2);
    demand dem;
    for (int i = 0; i < 300; ++i)
      dem.add_routed(0, {0, 1});
    queue_model model(net, dem, options(3600));
    auto r = run_serial(model);
    REQUIRE(r.counts.arrived == 300);
    INFO("capacity " << capacity);
    CHECK(arrival_spread(r) == Approx(299 / capacity * 3600).epsilon(0.03));
  }
}

TEST_CASE("a short junction link does not cap the flow through it",
          "[scenarios][dynamic]") {
  // 100 m, then 1 m (a road inside a junction, two lanes: one jam
  // spacing of storage), then 100 m, all 5200 veh/h. The short link must
  // pass 5200 veh/h, not one vehicle every other step.
  road_network net;
  net.add_link(0, 1, 0, 100, 10, 5200, 2);
  net.add_link(1, 2, 1, 1, 10, 5200, 2);
  net.add_link(2, 3, 2, 100, 10, 5200, 2);
  net.finish();
  REQUIRE(net.storage_veh[1] <= 1);
  demand dem;
  for (int i = 0; i < 300; ++i)
    dem.add_routed(0, {0, 1, 2});
  queue_model model(net, dem, options(3600));
  auto r = run_serial(model);
  REQUIRE(r.counts.arrived == 300);
  CHECK(arrival_spread(r) == Approx(299 / 5200.0 * 3600).epsilon(0.05));
}

TEST_CASE("a road that gives way lets out less as priority traffic grows",
          "[scenarios][dynamic]") {
  // Node 2 joins a priority road (0 -> 2) and a road that gives way
  // (1 -> 2); both leave by 2 -> 3. 300 vehicles wait on the minor road.
  // Alone they leave one per follow-up time (2.5 s); beside 1500 veh/h of
  // priority traffic at the gap acceptance capacity (Harders: critical gap
  // 3.5 s, follow-up 2.5 s), about 540 veh/h.
  auto minor_leaves_in = [](double major_gap_s) {
    road_network net;
    net.add_link(0, 2, 0, 100, 10, 3600, 1);
    net.add_link(1, 2, 1, 100, 10, 1800, 1);
    net.add_link(2, 3, 2, 100, 10, 7200, 2);
    net.finish();
    net.yields[1] = 1;
    demand dem;
    for (int i = 0; i < 300; ++i)
      dem.add_routed(0, {1, 2});
    if (major_gap_s > 0)
      for (double t = 0; t < 4000; t += major_gap_s)
        dem.add_routed(t, {0, 2}, 1);
    dem.group_names.push_back("major");
    queue_model model(net, dem, options(5000));
    auto r = run_serial(model);
    for (size_t i = 0; i < 300; ++i)
      REQUIRE(r.trips[i].outcome == trip_outcome::arrived);
    return arrival_spread(r, 0, 300);
  };
  auto alone = minor_leaves_in(0);
  auto beside = minor_leaves_in(2.4);
  CHECK(alone == Approx(299 * 2.5).epsilon(0.05));
  double q = 1 / 2.4;
  double capacity = q * std::exp(-q * 3.5) / (1 - std::exp(-q * 2.5));
  CHECK(beside == Approx(299 / capacity).epsilon(0.15));
}
