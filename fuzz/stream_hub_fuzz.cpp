// fuzz/stream_hub_fuzz.cpp: a viewer on the WebSocket stream
// (viz/stream_hub.cpp): the query string it connects with, then the text
// messages it sends (`{"type":"filter","query":..}`), each followed by a
// flush, as the server's thread runs them. The hub serves a small
// generated town (the tests' small_city: every snapshot is sent in full
// per input, so data/demo.city would make each run 300 times slower);
// each input is a new connection, closed at its end.
//
// Input: `<query>\n%%\n<message>\n%%\n<message>...` (up to 8 messages).
#include "fuzz_input.hpp"
#include "twin/city_generator.hpp"
#include "viz/stream_hub.hpp"

#include <cstdlib>

using namespace citytwin;

namespace {

// Frames go nowhere; a client that was closed stays closed.
struct null_transport : viz::stream_transport {
  bool send(viz::connection_id, const std::string&, bool) override {
    return true;
  }
  size_t buffered(viz::connection_id) const override {
    return 0;
  }
  void close(viz::connection_id, uint16_t, const std::string&) override {
  }
};

viz::stream_hub& demo_hub() {
  static null_transport transport;
  static const auto city = [] {
    twin::generator_options opts;
    opts.name = "demo";
    opts.seed = 7;
    opts.segments = 24;
    opts.lamps = 10;
    opts.bins = 5;
    opts.sensors = 10;
    auto result = twin::generate_city(opts);
    if (!result)
      std::abort(); // the harness cannot run: not a finding
    return std::move(*result);
  }();
  static viz::stream_hub hub{std::make_shared<viz::city_layout>(city),
                             transport};
  static bool seeded = [] {
    twin::for_each_initial_state(
      city, [](const twin::entity_state& s) { hub.seed(s); });
    return true;
  }();
  (void) seeded;
  return hub;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static viz::connection_id next_id = 1;
  auto& hub = demo_hub();
  auto id = next_id++;
  auto parts = fuzz::split(fuzz::as_text(data, size), fuzz::part_separator, 9);
  hub.open(id, std::string{parts[0]});
  hub.flush();
  for (size_t i = 1; i < parts.size(); ++i) {
    hub.message(id, std::string{parts[i]}, false);
    hub.flush();
  }
  hub.closed(id, 1000);
  if (hub.num_clients() != 0)
    std::abort(); // a closed connection must leave nothing behind
  return 0;
}
