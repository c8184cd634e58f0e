// tests/adapters/broker/tenant_actor.cpp: the TENANT on its own, driven by
// messages as its twin and the NGSI-LD routes drive it.
#include "adapters/broker/tenant_actor.hpp"

#include "actors/type_ids.hpp"
#include "adapters/broker/broker.hpp"
#include "adapters/broker/twin_mirror.hpp"
#include "test_data.hpp"
#include "test_system.hpp"

#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>

using namespace citytwin;

TEST_CASE("a TENANT applies its twin's deltas, runs tasks in order and "
          "reports what it holds",
          "[broker][tenant]") {
  test::test_system host;
  auto& sys = *host.sys;
  broker::notifier n;
  auto city = test::small_city();
  auto space = std::make_unique<broker::tenant_space>("test", n);
  broker::seed_live_entities(*space, city);
  auto counters = std::make_shared<broker::tenant_counters>();
  auto tenant = broker::spawn_tenant(sys, std::move(space), counters);
  // A lamp's delta: the live entity follows it.
  const auto& lamp = city.things.front();
  REQUIRE(lamp.id.kind == twin::entity_kind::street_lamp);
  auto state = twin::initial_state(lamp);
  twin::delta_batch batch{{state, 1}, {state, 2}};
  caf::scoped_actor self{sys};
  self->send(tenant, batch);
  // A task sent after the batch sees it applied (one mailbox, in order).
  // Catch2 is not thread-safe: the task records, the test checks.
  bool found = false;
  bool created = false;
  auto entity = broker::normalize_entity(
      {{"id", "urn:ngsi-ld:Thing:api-1"}, {"type", "Thing"}});
  REQUIRE(entity);
  self->send(tenant, actors::tenant_task{[&](broker::tenant_space& s) {
               found = s.store().is_live(twin::to_urn(lamp.id, "test"));
               created = static_cast<bool>(s.store().create(*entity));
             }});
  actors::tenant_gauges gauges;
  self->request(tenant, caf::infinite, actors::stats_atom_v, caf::get_atom_v)
      .receive([&](const actors::tenant_gauges& g) { gauges = g; },
               [](const caf::error& err) { FAIL(to_string(err)); });
  CHECK(found);
  CHECK(created);
  CHECK(gauges.entities == city.num_entities() + 1);
  CHECK(gauges.subscriptions == 0);
  CHECK(gauges.deltas == 2);
  // /metrics reads the same figures without asking the actor.
  CHECK(counters->entities.load() == gauges.entities);
  CHECK(counters->deltas.load() == 2);
  broker::stop_tenant(sys, tenant);
  CHECK_FALSE(tenant);
  n.stop();
}
