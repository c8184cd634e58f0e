// fuzz/stream_filter_fuzz.cpp: the query string of a viewer's WebSocket
// URL (viz/stream_filter.cpp), and the URL coding it relies on: what
// url_encode writes, url_decode must give back unchanged.
#include "fuzz_input.hpp"
#include "viz/stream_filter.hpp"

#include <cstdlib>

using namespace citytwin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  if (auto filter = viz::parse_stream_filter(text))
    for (int kind = 1; kind <= 10; ++kind)
      (void) filter->accepts(static_cast<twin::entity_kind>(kind),
                             viz::geo_box{{10, 56}, {10.5, 56.5}});
  (void) viz::url_decode(text);
  auto decoded = viz::url_decode(viz::url_encode(text));
  if (!decoded || *decoded != text)
    std::abort();
  return 0;
}
