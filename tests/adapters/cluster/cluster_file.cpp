// tests/adapters/cluster/cluster_file.cpp
#include "adapters/cluster/cluster_file.hpp"

#include "tests/test_data.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

using namespace citytwin;

namespace {

std::string problems_of(std::string_view text) {
  auto m = cluster::parse_cluster_file(text, "c.yaml");
  REQUIRE_FALSE(m);
  CHECK(m.error() == twin::errc::invalid_config);
  return twin::describe(m.error());
}

} // namespace

TEST_CASE("a cluster file gives every node its shards",
          "[adapters][cluster]") {
  auto m = cluster::load_cluster_file(test::project_data_dir()
                                      + "/cluster/demo3.yaml");
  REQUIRE(m);
  CHECK(m->city == "demo");
  CHECK(m->version == 1);
  REQUIRE(m->num_shards == 6);
  REQUIRE(m->nodes.size() == 3);
  CHECK(m->nodes[1].name == "centre");
  CHECK(m->nodes[1].port == 9302);
  CHECK(m->owner == std::vector<uint32_t>{0, 0, 1, 1, 2, 2});
  REQUIRE(m->node_named("south") != nullptr);
  CHECK(m->node_named("south")->shards == std::vector<uint32_t>{4, 5});
  CHECK(m->node_named("east") == nullptr);
  // Without lists, shard i goes to node i mod n.
  auto spread = cluster::parse_cluster_file(R"(version: 3
city: demo
shards: 5
nodes:
  - {name: a, host: 127.0.0.1, port: 9001}
  - {name: b, host: localhost, port: 9002}
)", "c.yaml");
  REQUIRE(spread);
  CHECK(spread->owner == std::vector<uint32_t>{0, 1, 0, 1, 0});
  CHECK(spread->nodes[0].shards == std::vector<uint32_t>{0, 2, 4});
}

TEST_CASE("a cluster map's fingerprint changes with anything in it",
          "[adapters][cluster]") {
  auto m = cluster::load_cluster_file(test::project_data_dir()
                                      + "/cluster/demo3.yaml");
  REQUIRE(m);
  auto base = m->fingerprint();
  CHECK(m->fingerprint() == base);
  auto changed = [&](auto edit) {
    auto copy = *m;
    edit(copy);
    return copy.fingerprint() != base;
  };
  CHECK(changed([](actors::cluster_map& x) { ++x.version; }));
  CHECK(changed([](actors::cluster_map& x) { x.city = "other"; }));
  CHECK(changed([](actors::cluster_map& x) { x.nodes[0].port = 1; }));
  CHECK(changed([](actors::cluster_map& x) { x.nodes[2].host = "::1"; }));
  CHECK(changed([](actors::cluster_map& x) {
    std::swap(x.nodes[0].shards, x.nodes[1].shards);
  }));
  CHECK(changed([](actors::cluster_map& x) { x.nodes[0].name = "nort"; }));
}

TEST_CASE("a bad cluster file gets every problem with its line",
          "[adapters][cluster]") {
  // Two nodes claim shard 1, shard 3 has none, one name and one address
  // twice, a port out of range, a shard beyond the count, a typo.
  auto text = problems_of(R"(version: 1
city: demo
shards: 4
nodes:
  - {name: a, host: 127.0.0.1, port: 9001, shards: [0, 1]}
  - {name: b, host: 127.0.0.1, port: 9002, shards: [1, 2]}
  - {name: b, host: 127.0.0.1, port: 9003, shards: [9]}
  - {name: c, host: 127.0.0.1, port: 9001, shards: [3]}
  - {name: d, host: 127.0.0.1, port: 70000, shards: [3]}
  - {name: e, hots: 127.0.0.1, port: 9005, shards: [3]}
)");
  INFO(text);
  CHECK(text.find("c.yaml:6: shard 1 is claimed by node a (line 5) and node b")
        != std::string::npos);
  CHECK(text.find("c.yaml:7: nodes[2].name: 'b' names another node too "
                  "(line 6)")
        != std::string::npos);
  CHECK(text.find("nodes[2].shards: expected a whole number from 0 to 3")
        != std::string::npos);
  CHECK(text.find("c.yaml:8: nodes[3]: 127.0.0.1:9001 is another node's "
                  "address too (line 5)")
        != std::string::npos);
  // Some nodes were left out: shards nobody hosts are not guessed at.
  CHECK(text.find("hosted by no node") == std::string::npos);
  CHECK(text.find("nodes[4].port: expected a whole number from 1 to 65535")
        != std::string::npos);
  CHECK(text.find("nodes[5]: unknown key 'hots'") != std::string::npos);
  CHECK(text.find("nodes[5]: missing 'host'") != std::string::npos);
  CHECK(text.find("nodes[5].host") == std::string::npos); // said once
  // Shards nobody hosts, and a mix of listed and unlisted shards.
  auto orphans = problems_of(R"(version: 1
city: demo
shards: 4
nodes:
  - {name: a, host: 127.0.0.1, port: 9001, shards: [0, 1]}
  - {name: b, host: 127.0.0.1, port: 9002, shards: [1]}
)");
  CHECK(orphans.find("2 shard(s) hosted by no node: 2, 3")
        != std::string::npos);
  auto mixed = problems_of(R"(version: 1
city: demo
shards: 4
nodes:
  - {name: a, host: 127.0.0.1, port: 9001, shards: [0, 1, 2, 3]}
  - {name: b, host: 127.0.0.1, port: 9002}
)");
  CHECK(mixed.find("either every node lists its shards or none does")
        != std::string::npos);
  // Two nodes on one address.
  auto twice = problems_of(R"(version: 1
city: demo
shards: 2
nodes:
  - {name: a, host: 127.0.0.1, port: 9001}
  - {name: b, host: 127.0.0.1, port: 9001}
)");
  CHECK(twice.find("c.yaml:6: nodes[1]: 127.0.0.1:9001 is another node's "
                   "address too (line 5)")
        != std::string::npos);
  // Not YAML, not a map, too large, no nodes.
  CHECK(problems_of("nodes: [").find("YAML:") != std::string::npos);
  CHECK(problems_of("- 1").find("expected a map") != std::string::npos);
  CHECK(problems_of(std::string(cluster::max_cluster_file_bytes + 1, '#'))
          .find("at most")
        != std::string::npos);
  CHECK(problems_of("version: 1\ncity: demo\nshards: 2\nnodes: []\n")
          .find("expected a list of 1 to 64 nodes")
        != std::string::npos);
  auto missing = cluster::load_cluster_file("/nonexistent/cluster.yaml");
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == twin::errc::io_failure);
}
