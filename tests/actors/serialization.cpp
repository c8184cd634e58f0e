// tests/actors/serialization.cpp: messages survive CAF's binary format, so
// a twin can span several nodes.
#include "actors/type_ids.hpp"

#include "deterministic.hpp"

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

using namespace citytwin;

namespace {

template <class T>
T round_trip(caf::actor_system& sys, T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  REQUIRE_FALSE(sink(x));
  T result;
  caf::binary_deserializer source{sys, buf};
  REQUIRE_FALSE(source(result));
  return result;
}

} // namespace

TEST_CASE("deltas and states round-trip through CAF serialization",
          "[actors]") {
  test::deterministic fix;
  for (auto kind : twin::all_entity_kinds) {
    auto st = twin::make_state({kind, 77});
    auto q = twin::quantities_of(kind).front();
    // A value inside every quantity's range and a whole number.
    twin::reading x{st.id, 1'700'000'000'000, 0, q};
    if (kind == twin::entity_kind::intersection)
      st.as<twin::intersection_state>().num_phases = 2;
    REQUIRE(twin::apply(st, x));
    twin::delta d{st, twin::bit(q)};
    auto back = round_trip(fix.sys, d);
    CHECK(back.state.id == st.id);
    CHECK(back.state.updated == st.updated);
    CHECK(back.state.detail.index() == st.detail.index());
    CHECK(back.changed == d.changed);
    CHECK(twin::attributes(back.state).size()
          == twin::attributes(st).size());
  }
  actors::twin_stats stats;
  stats.city = "demo";
  stats.entities_by_kind = {1, 2, 3};
  stats.readings = 42;
  CHECK(round_trip(fix.sys, stats).readings == 42);
  twin::reading_batch batch{{{twin::entity_kind::noise_sensor, 3}, 5, 61.5,
                             twin::quantity::noise_level}};
  CHECK(round_trip(fix.sys, batch).front().value == 61.5);
}
