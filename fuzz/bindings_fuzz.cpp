// fuzz/bindings_fuzz.cpp: binding files (adapters/ingest/
// binding_table.cpp, data/bindings/*.bindings), startup input of the MQTT
// ingest, and looking up a few names in what loaded.
#include "adapters/ingest/binding_table.hpp"
#include "fuzz_input.hpp"
#include "twin/error.hpp"

#include <sstream>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in{std::string{fuzz::as_text(data, size)}};
  auto table = ingest::read_bindings(in, "fuzz.bindings");
  if (!table) {
    (void) twin::describe(table.error());
    return 0;
  }
  ingest::binding_table::device_memo memo;
  for (const char* name : {"urn:dev:lamp:1:dim", "counter-5", "", ":", "a/b/c"})
    (void) table->find(name, memo);
  return 0;
}
