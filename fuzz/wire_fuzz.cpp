// fuzz/wire_fuzz.cpp: Protobuf `ReadingBatch` bytes (twin/wire.cpp), as
// MQTT payloads that do not start with `[` or `{`. What decodes must
// encode and decode again to the same readings.
#include "fuzz_input.hpp"
#include "twin/wire.hpp"

#include <cstdlib>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t num_skipped = 0;
  auto batch = twin::decode_readings(fuzz::as_text(data, size), num_skipped);
  if (!batch)
    return 0;
  auto bytes = twin::encode_readings(*batch, "demo");
  size_t num_skipped_again = 0;
  auto again = twin::decode_readings(bytes, num_skipped_again);
  if (!again || again->size() != batch->size() || num_skipped_again != 0)
    std::abort();
  return 0;
}
