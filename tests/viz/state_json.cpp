// tests/viz/state_json.cpp: a delta written as text reads back as the
// state document plus its changed quantities, members in the same order.
#include "viz/state_json.hpp"

#include "twin/entity_state.hpp"
#include "twin/kind_states.hpp"
#include "twin/quantity.hpp"

#include "json_members.hpp"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

using namespace citytwin;
using nlohmann::json;

TEST_CASE("deltas as text read back as their state documents",
          "[viz][state_json]") {
  for (auto kind : twin::all_entity_kinds) {
    auto state = twin::make_state({kind, 42});
    state.updated = 1'780'000'000'123;
    state.num_applied = 7;
    // Every quantity the kind accepts, changed at once, with a value
    // inside its range.
    uint32_t mask = 0;
    json changed = json::array();
    for (size_t q = 1; q <= twin::num_quantities; ++q) {
      auto what = static_cast<twin::quantity>(q);
      if (!twin::accepts(kind, what))
        continue;
      mask |= uint32_t{1} << q;
      changed.push_back(std::string{twin::info(what).name});
      const auto& range = twin::info(what);
      (void) twin::apply(state, {state.id, state.updated,
                                 range.min + (range.max - range.min) * 0.37,
                                 what});
    }
    auto expected = viz::to_json(state, "test");
    expected["changed"] = changed;
    std::string text;
    viz::append_delta_json(text, state, "test", mask);
    INFO(text);
    auto parsed = json::parse(text);
    CHECK(parsed == expected);
    CHECK(test::top_level_members(text) == test::member_names(expected));
  }
}
