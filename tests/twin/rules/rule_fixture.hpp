// tests/twin/rules/rule_fixture.hpp
#pragma once

// A rule engine over a city, fed with hand-made entity states at chosen
// simulated times: the rules' tests need no actor system.

#include "adapters/rules/rule_file.hpp"
#include "twin/city.hpp"
#include "twin/civil_time.hpp"
#include "twin/rules/bound_rules.hpp"
#include "twin/rules/engine.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace citytwin::test {

/// Unix milliseconds of a UTC date and time.
inline twin::time_ms utc_ms(int year, unsigned month, unsigned day,
                            unsigned hour, unsigned minute = 0) {
  return (twin::days_from_civil(year, month, day) * 86'400
          + hour * 3600 + minute * 60)
         * 1000;
}

struct rule_fixture {
  std::shared_ptr<const twin::city> city;
  std::shared_ptr<const rules::city_index> index;
  std::shared_ptr<const rules::bound_rules> bound;
  std::unique_ptr<rules::engine> engine;
  twin::time_ms now = 0;

  rule_fixture(twin::city c, std::string_view yaml,
               rules::engine_limits limits = {})
    : city(std::make_shared<const twin::city>(std::move(c))),
      index(std::make_shared<const rules::city_index>(*city)) {
    auto parsed = rules::parse_rule_file(yaml, "test.yaml", city->name);
    if (!parsed)
      FAIL(twin::describe(parsed.error()));
    auto b = rules::bind(std::make_shared<const rules::rule_set>(
                           std::move(*parsed)),
                         index);
    if (!b)
      FAIL(twin::describe(b.error()));
    bound = std::make_shared<const rules::bound_rules>(std::move(*b));
    engine = std::make_unique<rules::engine>(bound, nullptr, limits);
  }

  /// The error binding `yaml` to the city gives (empty if none).
  static std::string bind_error(const twin::city& c, std::string_view yaml) {
    auto parsed = rules::parse_rule_file(yaml, "test.yaml", c.name);
    if (!parsed)
      return twin::describe(parsed.error());
    auto b = rules::bind(
      std::make_shared<const rules::rule_set>(std::move(*parsed)),
      std::make_shared<const rules::city_index>(c));
    return b ? std::string{} : twin::describe(b.error());
  }

  /// A fresh state of `id` at the current time, changed by `f`.
  template <class T, class F>
  void set(twin::entity_id id, F f) {
    auto s = twin::make_state(id);
    s.updated = now;
    f(s.template as<T>());
    engine->observe(s);
  }

  /// Evaluates at `now`.
  rules::outputs step() {
    rules::outputs out;
    engine->evaluate(now, out);
    return out;
  }
};

} // namespace citytwin::test
