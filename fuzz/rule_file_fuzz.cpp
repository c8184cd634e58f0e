// fuzz/rule_file_fuzz.cpp: a tenant's rule file (adapters/rules/rule_file,
// format data/rules/README.md), read and, when accepted, bound to the demo
// city (twin/rules/bound_rules): neighbourhoods, entity checks, cycles.
// Whatever the text, both answer with a value or a report, never a crash,
// and an accepted rule set names every rule.
#include "adapters/rules/rule_file.hpp"
#include "fuzz_input.hpp"
#include "twin/city_file.hpp"
#include "twin/rules/bound_rules.hpp"
#include "twin/rules/city_index.hpp"

#include <cstdlib>
#include <memory>

using namespace citytwin;

namespace {

std::shared_ptr<const rules::city_index> demo_index() {
  static auto city = [] {
    auto c = twin::load_city(std::string{CITYTWIN_SOURCE_DIR}
                             + "/data/demo.city");
    if (!c)
      std::abort(); // the harness needs the demo city
    return std::make_shared<const twin::city>(std::move(*c));
  }();
  static auto index = std::make_shared<const rules::city_index>(*city);
  return index;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = rules::parse_rule_file(fuzz::as_text(data, size), "fuzz.yaml",
                                       "demo");
  if (!parsed)
    return 0;
  for (const auto& r : parsed->rules)
    if (r.id.empty() || r.when.empty() || r.then.empty())
      std::abort();
  auto bound = rules::bind(
    std::make_shared<const rules::rule_set>(std::move(*parsed)), demo_index());
  if (bound && bound->instances.size() > rules::max_bound_instances)
    std::abort();
  return 0;
}
