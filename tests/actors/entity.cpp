// tests/actors/entity.cpp: entity actors, publishers and subscribers.
#include "actors/entity.hpp"

#include "actors/publisher.hpp"
#include "actors/type_ids.hpp"
#include "deterministic.hpp"

using namespace citytwin;
using namespace citytwin::actors;
using twin::entity_kind;
using twin::quantity;

namespace {

constexpr twin::time_ms t0 = 1'700'000'000'000;

// A SUBSCRIBER that keeps what it receives, for tests to read.
struct collector_state {
  static inline const char* name = "collector";
  std::vector<twin::delta_batch> batches;

  size_t num_deltas() const {
    size_t result = 0;
    for (const auto& b : batches)
      result += b.size();
    return result;
  }
};

subscriber_actor::behavior_type
collector(subscriber_actor::stateful_pointer<collector_state> self) {
  return {[self](twin::delta_batch& batch) {
    self->state.batches.push_back(std::move(batch));
  }};
}

collector_state& state_of(const subscriber_actor& handle) {
  return caf::actor_cast<caf::stateful_actor<
    collector_state, subscriber_actor::base>*>(handle)
    ->state;
}

} // namespace

TEST_CASE("an entity applies readings and publishes one delta per batch",
          "[actors]") {
  test::deterministic fix;
  auto pub = fix.sys.spawn(publisher);
  auto sub = fix.sys.spawn(collector);
  fix.sched.run();
  REQUIRE(fix.ask<caf::ok_atom>(pub, caf::subscribe_atom_v, sub,
                                subscription_filter{}));
  twin::entity_id id{entity_kind::waste_bin, 3};
  auto bin = fix.sys.spawn(entity, twin::make_state(id), pub);
  fix.sched.run();
  fix.self->send(bin, observe_atom_v,
                 twin::reading_batch{{id, t0, 0.5, quantity::fill_level},
                                     {id, t0, 21, quantity::temperature}});
  fix.sched.run();
  auto state = fix.ask<twin::entity_state>(bin, caf::get_atom_v);
  REQUIRE(state);
  CHECK(state->as<twin::waste_bin_state>().fill_level == 0.5);
  CHECK(state->num_applied == 2);
  auto& got = state_of(sub);
  REQUIRE(got.num_deltas() == 1); // two readings, one change notice
  const auto& d = got.batches.front().front();
  CHECK(d.state.id == id);
  CHECK(d.changed
        == (twin::bit(quantity::fill_level) | twin::bit(quantity::temperature)));
  // Repeating the same values changes nothing: no delta.
  fix.self->send(bin, observe_atom_v,
                 twin::reading_batch{{id, t0 + 1, 0.5, quantity::fill_level}});
  fix.sched.run();
  CHECK(got.num_deltas() == 1);
}

TEST_CASE("rejected readings are counted by reason, valid ones kept",
          "[actors]") {
  test::deterministic fix;
  auto pub = fix.sys.spawn(publisher);
  twin::entity_id id{entity_kind::energy_meter, 1};
  auto meter = fix.sys.spawn(entity, twin::make_state(id), pub);
  fix.sched.run();
  fix.self->send(meter, observe_atom_v,
                 twin::reading_batch{
                   {id, t0, 100, quantity::energy},
                   {id, t0, 1, quantity::pm10},         // wrong quantity
                   {id, t0, 90, quantity::energy},      // runs backwards
                   {id, t0 - 5, 101, quantity::energy}, // stale
                   {id, t0 + 1, 150, quantity::energy},
                 });
  fix.sched.run();
  auto state = fix.ask<twin::entity_state>(meter, caf::get_atom_v);
  REQUIRE(state);
  CHECK(state->as<twin::energy_meter_state>().energy_kwh == 150);
  CHECK(state->num_applied == 2);
  auto stats = fix.ask<publisher_stats>(pub, stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->deltas == 1);
  CHECK(stats->readings_rejected == 3);
  using twin::errc;
  CHECK(stats->rejected_by_reason[size_t(errc::wrong_quantity)] == 1);
  CHECK(stats->rejected_by_reason[size_t(errc::out_of_range)] == 1);
  CHECK(stats->rejected_by_reason[size_t(errc::stale_reading)] == 1);
}

TEST_CASE("publishers honour kind filters and forget dead subscribers",
          "[actors]") {
  test::deterministic fix;
  auto pub = fix.sys.spawn(publisher);
  auto lamps_only = fix.sys.spawn(collector);
  auto everything = fix.sys.spawn(collector);
  fix.sched.run();
  fix.ask<caf::ok_atom>(pub, caf::subscribe_atom_v, lamps_only,
                        subscription_filter{}.with(entity_kind::street_lamp));
  fix.ask<caf::ok_atom>(pub, caf::subscribe_atom_v, everything,
                        subscription_filter{});
  twin::entity_id lamp{entity_kind::street_lamp, 1};
  twin::entity_id bin{entity_kind::waste_bin, 1};
  auto a = fix.sys.spawn(entity, twin::make_state(lamp), pub);
  auto b = fix.sys.spawn(entity, twin::make_state(bin), pub);
  fix.sched.run();
  fix.self->send(a, observe_atom_v,
                 twin::reading_batch{{lamp, t0, 1, quantity::dim_level}});
  fix.self->send(b, observe_atom_v,
                 twin::reading_batch{{bin, t0, 0.2, quantity::fill_level}});
  fix.sched.run();
  CHECK(state_of(lamps_only).num_deltas() == 1);
  CHECK(state_of(everything).num_deltas() == 2);
  // A subscriber that goes away is removed, not sent to forever.
  caf::anon_send_exit(everything, caf::exit_reason::user_shutdown);
  fix.sched.run();
  auto stats = fix.ask<publisher_stats>(pub, stats_atom_v);
  REQUIRE(stats);
  CHECK(stats->subscribers == 1);
}
