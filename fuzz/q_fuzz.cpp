// fuzz/q_fuzz.cpp: NGSI-LD `q` expressions (twin/broker/q_parser.cpp,
// already URL-decoded, as the routes pass them), then evaluating what
// parsed against the demo entities (ngsi_query.cpp).
#include "twin/broker/ngsi_query.hpp"
#include "demo_entities.hpp"
#include "fuzz_input.hpp"

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto q = broker::parse_q(fuzz::as_text(data, size));
  if (!q)
    return 0;
  (void) q->attributes();
  for (const auto& entity : fuzz::demo_entities())
    (void) q->matches(entity);
  return 0;
}
