// fuzz/cluster_hello_fuzz.cpp: the first message a cluster node reads from
// the network (actors/cluster_node: check_hello), against the demo map of
// data/cluster/demo3.yaml as node `centre` sees it. Whatever the bytes: a
// refusal or the name of another node of the map, never a crash.
#include "actors/cluster_node.hpp"
#include "adapters/cluster/cluster_file.hpp"
#include "fuzz_input.hpp"

#include <cstdlib>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto map = [] {
    auto m = cluster::load_cluster_file(std::string{CITYTWIN_SOURCE_DIR}
                                        + "/data/cluster/demo3.yaml");
    if (!m)
      std::abort(); // the harness needs the demo map
    return std::move(*m);
  }();
  auto peer = actors::check_hello(fuzz::as_text(data, size), map, "centre");
  if (peer && (*peer == "centre" || map.node_named(*peer) == nullptr))
    std::abort();
  return 0;
}
