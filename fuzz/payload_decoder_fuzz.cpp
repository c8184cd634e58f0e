// fuzz/payload_decoder_fuzz.cpp: one MQTT message, as the ingest client
// hands it over: topic, then payload (SenML, NGSI-LD or Protobuf, told
// apart by the decoder). Two decoders: one that rejects unknown ids, one
// that creates sensor entities for them (the `create` policy).
//
// Input: `<topic>\n%%\n<payload>`; without a separator the whole input is
// the payload on a fixed topic.
#include "adapters/ingest/payload_decoder.hpp"
#include "fuzz_input.hpp"

#include <sstream>

using namespace citytwin;

namespace {

std::shared_ptr<const ingest::binding_table> bindings() {
  std::istringstream in{
    "citytwin-bindings 1\n"
    "city demo\n"
    "device urn:dev:lamp:1: urn:ngsi-ld:StreetLight:demo:000001\n"
    "device urn:dev:lamp:2: urn:ngsi-ld:StreetLight:demo:000002\n"
    "name counter-5 urn:ngsi-ld:TrafficCounter:demo:5 mean_speed\n"};
  auto table = ingest::read_bindings(in, "fuzz");
  if (!table)
    std::abort();
  return std::make_shared<const ingest::binding_table>(std::move(*table));
}

ingest::decoder_config config(bool create) {
  static const auto table = bindings();
  ingest::decoder_config result{table, "demo", "demo"};
  if (create) {
    result.create.policy = ingest::unknown_id_policy::create;
    result.create.max_created = 64;
    result.create.announce = [](twin::entity_id) {};
  }
  return result;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ingest::ingest_counters counters;
  auto quiet = [](const std::string&) {};
  // Fresh decoders per input: the newest-time memory and the created
  // entities would otherwise make runs depend on earlier inputs.
  ingest::payload_decoder reject{config(false), counters, quiet};
  ingest::payload_decoder create{config(true), counters, quiet};
  auto parts = fuzz::split(fuzz::as_text(data, size), fuzz::part_separator, 2);
  constexpr twin::time_ms now = 1'700'000'000'000;
  twin::reading_batch out;
  if (parts.size() == 2) {
    reject.decode(parts[0], parts[1], now, out);
    create.decode(parts[0], parts[1], now, out);
  } else {
    reject.decode("city/demo/lamp/1", parts[0], now, out);
    create.decode("city/demo/sensor/x", parts[0], now, out);
    reject.decode(parts[0], now, out);
  }
  return 0;
}
