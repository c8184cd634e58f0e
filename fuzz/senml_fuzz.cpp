// fuzz/senml_fuzz.cpp: SenML JSON text through the SAX reader, as the
// MQTT ingest reads it (adapters/ingest/senml_sax.cpp), with and without
// NGSI-LD detection, and a second pack through the same reused parser.
#include "adapters/ingest/senml.hpp"
#include "fuzz_input.hpp"

#include <cstdlib>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  constexpr double now_s = 1'700'000'000;
  auto pack = ingest::parse_senml(text, now_s);
  // The reader's contract: a failed pack keeps no records.
  if (pack.failed && !pack.records.empty())
    std::abort();
  // A reused parser (the decoder's way) gives the same pack.
  static ingest::senml_parser parser;
  const auto& again = parser.parse(text, now_s, true);
  if (!again.is_ngsi_ld && again.records.size() != pack.records.size())
    std::abort();
  for (const auto& r : pack.records)
    (void) ingest::valid_senml_name(r.name);
  return 0;
}
