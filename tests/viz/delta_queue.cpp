// tests/viz/delta_queue.cpp
#include "viz/delta_queue.hpp"

#include <catch2/catch.hpp>

using namespace citytwin;
using namespace citytwin::viz;

namespace {

twin::delta lamp(uint32_t number, twin::time_ms t, uint32_t changed) {
  auto state = twin::make_state({twin::entity_kind::street_lamp, number});
  state.updated = t;
  return {state, changed};
}

} // namespace

TEST_CASE("a delta queue keeps one delta per entity", "[viz]") {
  delta_queue q;
  // 1000 deltas for 3 lamps: a client that never reads holds 3, not 1000.
  for (twin::time_ms t = 1; t <= 1000; ++t)
    q.add(lamp(static_cast<uint32_t>(t % 3), t, t == 4 ? 0b100 : 0b10));
  CHECK(q.size() == 3);
  CHECK(q.num_coalesced() == 997);
  auto all = q.take(10);
  REQUIRE(all.size() == 3);
  // Places follow first arrival (t = 1, 2, 3: lamps 1, 2, 0); states are
  // the newest (t = 1000 for lamp 1, 998 for lamp 2, 999 for lamp 0).
  CHECK(all[0].state.id.number == 1);
  CHECK(all[0].state.updated == 1000);
  CHECK(all[0].changed == 0b110); // t = 4 added bit 2 to lamp 1's bits
  CHECK(all[1].state.updated == 998);
  CHECK(all[2].state.updated == 999);
  CHECK(q.empty());
}

TEST_CASE("a delta queue hands out pieces in order", "[viz]") {
  delta_queue q;
  for (uint32_t n = 0; n < 10; ++n)
    q.add(lamp(n, 1, 1));
  auto first = q.take(4);
  REQUIRE(first.size() == 4);
  CHECK(first[3].state.id.number == 3);
  // Lamp 2 was taken, so it queues anew at the back; lamp 5 merges.
  q.add(lamp(2, 2, 1));
  q.add(lamp(5, 2, 1));
  auto second = q.take(4); // compacts: 8 of 11 slots are taken
  REQUIRE(second.size() == 4);
  CHECK(second[0].state.id.number == 4);
  CHECK(second[1].state.updated == 2);
  auto rest = q.take(100);
  REQUIRE(rest.size() == 3);
  CHECK(rest[0].state.id.number == 8);
  CHECK(rest[2].state.id.number == 2);
}

TEST_CASE("an inbox wakes its consumer once per drain", "[viz]") {
  delta_inbox inbox;
  CHECK_FALSE(inbox.push({}));
  CHECK(inbox.push({lamp(1, 1, 1)}));
  CHECK_FALSE(inbox.push({lamp(1, 2, 1), lamp(2, 2, 1)}));
  auto got = inbox.take_all();
  REQUIRE(got.size() == 2);
  CHECK(got[0].state.updated == 2);
  CHECK(inbox.num_coalesced() == 1);
  CHECK(inbox.push({lamp(3, 3, 1)}));
}
