// fuzz/dataset_fuzz.cpp: dataset descriptions (adapters/replay/
// dataset.cpp, data/datasets/*.conf), the input of `citytwin replay`,
// and expanding the topic and base name patterns of what parsed.
#include "adapters/replay/dataset.hpp"
#include "fuzz_input.hpp"
#include "twin/error.hpp"

#include <sstream>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in{std::string{fuzz::as_text(data, size)}};
  auto set = replay::read_dataset(in, "fuzz.conf");
  if (!set) {
    (void) twin::describe(set.error());
    return 0;
  }
  (void) replay::expand(set->topic, "sensor-1");
  (void) replay::expand(set->base_name, "{sensor}");
  (void) set->zone.offset_at(1'700'000'000'000);
  return 0;
}
