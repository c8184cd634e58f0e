// fuzz/access_config_fuzz.cpp: tenants files (adapters/broker/
// access_config.cpp) from YAML text, as `serve --access` reads them
// (without the check that city paths exist, which needs real files).
#include "adapters/broker/access_config.hpp"
#include "fuzz_input.hpp"

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto cfg = broker::parse_access_config(fuzz::as_text(data, size), "fuzz");
  if (!cfg)
    (void) twin::describe(cfg.error());
  return 0;
}
