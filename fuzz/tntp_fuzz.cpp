// fuzz/tntp_fuzz.cpp: TNTP networks as `citytwin import-network
// --tntp-net --tntp-node` and `citytwin assign` read them: the net and
// node files through the assignment readers (scenarios/assignment/
// tntp_reader.cpp, which only take paths: the parts go through memfds),
// then the conversion to a road graph (twin/import/tntp_network.cpp) in
// both coordinate modes, as adapters/cli/import_network.cpp does it. The
// trips and flow files of `assign` are read too.
//
// Input: `net\n%%\nnode\n%%\ntrips\n%%\nflow` (later parts optional).
#include "fuzz_input.hpp"
#include "scenarios/assignment/tntp_reader.hpp"
#include "temp_file.hpp"
#include "twin/import/tntp_network.hpp"

using namespace citytwin;
namespace sa = citytwin::scenarios::assignment;

namespace {

void convert(const sa::network& net,
             const std::vector<sa::node_position>& positions) {
  // The assignment reader numbers nodes from 0, TNTP files from 1.
  std::vector<twin::import::tntp_node> nodes;
  for (const auto& p : positions)
    nodes.push_back({static_cast<uint32_t>(p.node + 1), p.x, p.y});
  std::vector<twin::import::tntp_link> links;
  for (const auto& l : net.links())
    links.push_back({static_cast<uint32_t>(l.from + 1),
                     static_cast<uint32_t>(l.to + 1), l.capacity, l.length,
                     l.free_flow_time, 0});
  twin::import::tntp_network_options lon_lat;
  (void) twin::import::convert_tntp(nodes, links, lon_lat);
  twin::import::tntp_network_options planar;
  planar.coordinates = twin::import::tntp_coordinates::planar;
  planar.metres_per_unit = 0.3048; // Chicago: feet
  planar.anchor = {10.2, 56.15};
  (void) twin::import::convert_tntp(nodes, links, planar);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::temp_file file{"tntp"};
  auto parts = fuzz::split(fuzz::as_text(data, size), fuzz::part_separator, 4);
  parts.resize(4);
  auto net = sa::read_network(file.write(parts[0]));
  auto nodes = sa::read_nodes(file.write(parts[1]));
  if (net && nodes)
    convert(net.value(), nodes.value());
  if (!parts[2].empty()) {
    std::optional<int32_t> zones;
    if (net)
      zones = net.value().num_zones();
    (void) sa::read_trips(file.write(parts[2]), zones);
  }
  if (!parts[3].empty())
    (void) sa::read_flows(file.write(parts[3]));
  return 0;
}
