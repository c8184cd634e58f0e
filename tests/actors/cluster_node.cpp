// tests/actors/cluster_node.cpp: what a node says when it joins, and why
// a peer refuses it (the join itself runs in tests/cli/cluster_join.sh).
#include "actors/cluster_node.hpp"

#include "adapters/cluster/cluster_file.hpp"
#include "tests/test_data.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

using namespace citytwin;

namespace {

actors::cluster_map demo3() {
  auto m = cluster::load_cluster_file(test::project_data_dir()
                                      + "/cluster/demo3.yaml");
  REQUIRE(m);
  return std::move(*m);
}

std::string refusal(std::string_view hello, const actors::cluster_map& map,
                    std::string_view self) {
  auto r = actors::check_hello(hello, map, self);
  REQUIRE_FALSE(r);
  CHECK(r.error() == twin::errc::invalid_config);
  return twin::describe(r.error());
}

} // namespace

TEST_CASE("a node of the same map is accepted by its name",
          "[actors][cluster]") {
  auto map = demo3();
  auto hello = actors::cluster_hello(map, "north");
  CHECK(hello.rfind("citytwin-cluster 1 node=north map=", 0) == 0);
  auto peer = actors::check_hello(hello, map, "centre");
  REQUIRE(peer);
  CHECK(*peer == "north");
  CHECK(actors::message_types_fingerprint()
        == actors::message_types_fingerprint());
}

TEST_CASE("a peer refuses another map, a stranger, itself and garbage",
          "[actors][cluster]") {
  auto map = demo3();
  auto hello = actors::cluster_hello(map, "north");
  auto newer = map;
  ++newer.version;
  CHECK(refusal(actors::cluster_hello(newer, "north"), map, "centre")
          .find("another cluster map (version 2")
        != std::string::npos);
  auto moved = map;
  moved.nodes[0].port = 1;
  CHECK(refusal(actors::cluster_hello(moved, "north"), map, "centre")
          .find("another cluster map")
        != std::string::npos);
  CHECK(refusal(actors::cluster_hello(map, "east"), map, "centre")
          .find("'east' is not in this node's cluster map")
        != std::string::npos);
  CHECK(refusal(hello, map, "north").find("two processes claim the same name")
        != std::string::npos);
  auto other_types = hello;
  auto at = other_types.find("types=") + 6;
  other_types[at] = other_types[at] == '0' ? '1' : '0';
  CHECK(refusal(other_types, map, "centre").find("other message types")
        != std::string::npos);
  auto other_build = hello.substr(0, hello.find("software=")) + "software=x";
  CHECK(refusal(other_build, map, "centre").find("runs x")
        != std::string::npos);
  CHECK(refusal("GET / HTTP/1.1", map, "centre")
          .find("not a citytwin cluster hello")
        != std::string::npos);
  CHECK(refusal(hello + std::string(2000, ' '), map, "centre")
          .find("not a citytwin cluster hello")
        != std::string::npos);
}
