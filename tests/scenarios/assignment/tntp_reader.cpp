// tests/scenarios/assignment/tntp_reader.cpp
#include "scenarios/assignment/tntp_reader.hpp"

#include "scenarios/assignment/loaded_links.hpp"

#include "tests/scenarios/assignment/test_data.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace citytwin::scenarios::assignment;
using citytwin::scenarios::assignment::test::temp_dir;
using citytwin::scenarios::assignment::test::tntp_file;

namespace {

/// Metadata of the small test network: 3 nodes, zones 1-2 closed to
/// through traffic (FIRST THRU NODE 3). Lines 1-5; the header is line 7.
std::string metadata(int num_links) {
  return "<NUMBER OF ZONES> 2\n"
         "<NUMBER OF NODES> 3\n"
         "<FIRST THRU NODE> 3\n"
         "<NUMBER OF LINKS> "
         + std::to_string(num_links)
         + "\n"
           "<END OF METADATA>\n"
           "\n"
           "~ init_node term_node capacity length free_flow_time b power "
           "speed toll link_type ;\n";
}

/// The three link records of the test network (lines 8-10).
const std::string good_links = "1\t3\t100\t1\t1\t0.15\t4\t0\t0\t1\t;\n"
                               "3 2 100 1 1 0.15 4 0 0 1 ;\n"
                               "1 2 50 2 3 0.15 4 0 5 2 ;\n";

/// True if some error sits on `line` and its message contains `text`.
bool has_error(const std::vector<parse_error>& errors, std::size_t line,
               const std::string& text) {
  for (const auto& e : errors)
    if (e.line == line && e.message.find(text) != std::string::npos)
      return true;
  return false;
}

std::string describe(const std::vector<parse_error>& errors) {
  std::string result;
  for (const auto& e : errors)
    result += to_string(e) + "\n";
  return result;
}

/// The errors of a failed result as text, for INFO; empty on success.
template <class T>
std::string errors_of(const result<T>& r) {
  return r ? std::string{} : describe(r.errors());
}

} // namespace

TEST_CASE("reader parses a small net file with mixed separators",
          "[scenarios][assignment]") {
  temp_dir dir;
  auto net = read_network(dir.write("net.tntp", metadata(3) + good_links));
  INFO(errors_of(net));
  REQUIRE(net);
  const auto& n = net.value();
  CHECK(n.num_nodes() == 3);
  CHECK(n.num_zones() == 2);
  CHECK(n.num_links() == 3);
  // FIRST THRU NODE 3: nodes 1 and 2 (indices 0, 1) are zones only.
  CHECK_FALSE(n.passable(0));
  CHECK_FALSE(n.passable(1));
  CHECK(n.passable(2));
  // Third record: 1 2 50 2 3 0.15 4 0 5 2 (toll 5, type 2).
  const auto& l = n.at(2);
  CHECK(l.from == 0);
  CHECK(l.to == 1);
  CHECK(l.capacity == 50);
  CHECK(l.length == 2);
  CHECK(l.free_flow_time == 3);
  CHECK(l.toll == 5);
  CHECK(l.link_type == 2);
  // Node 1 has two outgoing links (records 1 and 3), in file order.
  auto out = n.out_links(0);
  REQUIRE(out.size() == 2);
  CHECK(out[0] == 0);
  CHECK(out[1] == 2);
  CHECK(n.in_links(1).size() == 2);
}

TEST_CASE("reader accepts real powers, tiny b and flat connectors",
          "[scenarios][assignment]") {
  // Issue 14's network: power 16.8 and b = 1e-17 (pre-scaled, capacity 1),
  // a connector with b = 0 and power 0, and a power written 4.4e0.
  temp_dir dir;
  auto net = read_network(
    dir.write("net.tntp", metadata(3)
                            + "1 3 1 0 0.5 0 0 0 0 0 ;\n"
                              "3 2 1 1.5 2 1e-17 16.8 0 0 1 ;\n"
                              "1 2 1 2 3 1.0E-17 4.4e0 0 0 1 ;\n"));
  INFO(errors_of(net));
  REQUIRE(net);
  const auto& n = net.value();
  CHECK(n.at(0).b == 0);
  CHECK(n.at(0).power == 0);
  CHECK(n.at(0).free_flow_time == 0.5);
  CHECK(n.at(1).b == 1e-17);
  CHECK(n.at(1).power == 16.8);
  CHECK(n.at(1).capacity == 1);
  CHECK(n.at(2).b == 1e-17);
  CHECK(n.at(2).power == 4.4);
  // The connector's cost has no flow term: constant, derivative zero.
  loaded_links links(n, {});
  links.shift(0, 1000);
  CHECK(links.cost()[0] == 0.5);
  CHECK(links.derivative()[0] == 0);
  // 2 (1 + 1e-17 * 10^16.8) at 10 trips: 10^16.8 * 1e-17 = 10^-0.2.
  links.shift(1, 10);
  CHECK(links.cost()[1] == Approx(2 * (1 + std::pow(10.0, -0.2))));
}

TEST_CASE("reader maps columns from the ~ header", "[scenarios][assignment]") {
  temp_dir dir;
  // Columns reordered, no speed/toll/type, no ';', blank line in between.
  auto net = read_network(dir.write(
    "net.tntp", "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n"
                "<NUMBER OF LINKS> 2\n<END OF METADATA>\n"
                "~ term_node init_node free_flow_time capacity length b power\n"
                "3 1 7 100 1 0.15 4\n\n  2   3 \t 8 200 1 0.15 4\n"));
  INFO(errors_of(net));
  REQUIRE(net);
  CHECK(net.value().at(0).from == 0); // init_node is the second column.
  CHECK(net.value().at(0).to == 2);
  CHECK(net.value().at(1).free_flow_time == 8);
  CHECK(net.value().at(1).capacity == 200);
  CHECK(net.value().at(1).toll == 0);
  // No FIRST THRU NODE tag: every node is passable.
  CHECK(net.value().passable(0));
}

TEST_CASE("reader reports a truncated record and metadata block",
          "[scenarios][assignment]") {
  temp_dir dir;
  // The last record (line 10) is cut after four fields.
  auto cut = read_network(dir.write(
    "cut.tntp", metadata(3) + "1 3 100 1 1 0.15 4 0 0 1 ;\n"
                              "3 2 100 1 1 0.15 4 0 0 1 ;\n1 2 50 2"));
  REQUIRE_FALSE(cut);
  INFO(describe(cut.errors()));
  CHECK(has_error(cut.errors(), 10, "expected at least 7 fields, found 4"));
  // A file that ends inside its metadata (after line 3).
  auto head = read_network(dir.write(
    "head.tntp", "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 3\n"
                 "<FIRST THRU NODE> 3\n"));
  REQUIRE_FALSE(head);
  CHECK(has_error(head.errors(), 3, "<END OF METADATA>"));
}

TEST_CASE("reader reports a link count that disagrees with the metadata",
          "[scenarios][assignment]") {
  temp_dir dir;
  // Metadata (line 4) promises 4 links, the file has the usual 3.
  auto net = read_network(dir.write("net.tntp", metadata(4) + good_links));
  REQUIRE_FALSE(net);
  INFO(describe(net.errors()));
  REQUIRE(net.errors().size() == 1);
  CHECK(has_error(net.errors(), 4, "<NUMBER OF LINKS> is 4 but the file "
                                   "has 3"));
}

TEST_CASE("reader reports unknown nodes, bad capacity and non-numbers",
          "[scenarios][assignment]") {
  temp_dir dir;
  SECTION("unknown node") {
    auto net = read_network(dir.write(
      "net.tntp", metadata(3) + "1 3 100 1 1 0.15 4 0 0 1 ;\n"
                                "3 7 100 1 1 0.15 4 0 0 1 ;\n"
                                "1 2 50 2 3 0.15 4 0 5 2 ;\n"));
    REQUIRE_FALSE(net);
    INFO(describe(net.errors()));
    CHECK(has_error(net.errors(), 9, "unknown node 7"));
  }
  SECTION("negative capacity") {
    auto net = read_network(dir.write(
      "net.tntp", metadata(3) + "1 3 -100 1 1 0.15 4 0 0 1 ;\n"
                                "3 2 100 1 1 0.15 4 0 0 1 ;\n"
                                "1 2 50 2 3 0.15 4 0 5 2 ;\n"));
    REQUIRE_FALSE(net);
    INFO(describe(net.errors()));
    CHECK(has_error(net.errors(), 8, "capacity must be positive"));
  }
  SECTION("non-numeric field") {
    auto net = read_network(dir.write(
      "net.tntp", metadata(3) + "1 3 100 1 1 0.15 4 0 0 1 ;\n"
                                "3 2 100 1 1 0.15 4 0 0 1 ;\n"
                                "1 2 50 2 3min 0.15 4 0 5 2 ;\n"));
    REQUIRE_FALSE(net);
    INFO(describe(net.errors()));
    CHECK(has_error(net.errors(), 10, "'free_flow_time' is not a number: "
                                      "'3min'"));
  }
  SECTION("every problem is reported, not only the first") {
    auto net = read_network(dir.write(
      "net.tntp", metadata(3) + "1 9 100 1 1 0.15 4 0 0 1 ;\n"
                                "3 2 0 1 1 0.15 4 0 0 1 ;\n"
                                "1 2 50 x 3 0.15 4 0 5 2 ;\n"));
    REQUIRE_FALSE(net);
    INFO(describe(net.errors()));
    CHECK(net.errors().size() == 3);
    CHECK(has_error(net.errors(), 8, "unknown node 9"));
    CHECK(has_error(net.errors(), 9, "capacity must be positive"));
    CHECK(has_error(net.errors(), 10, "'length' is not a number"));
  }
  SECTION("missing file") {
    auto net = read_network(dir.path() / "absent.tntp");
    REQUIRE_FALSE(net);
    CHECK(has_error(net.errors(), 0, "cannot open"));
  }
}

TEST_CASE("reader parses trips and reports bad demand",
          "[scenarios][assignment]") {
  temp_dir dir;
  // Lines: 1-3 metadata, 5 and 7 open origins, 6 and 8 hold demand.
  auto trips_text = [](const std::string& total, const std::string& last) {
    return "<NUMBER OF ZONES> 2\n<TOTAL OD FLOW> " + total
           + "\n<END OF METADATA>\n\nOrigin 1\n    1 :  0.0;  2 : 10.0 ;\n"
             "Origin \t2\n"
           + last;
  };
  SECTION("good file, irregular spacing, intrazonal demand kept aside") {
    auto trips = read_trips(
      dir.write("trips.tntp", trips_text("35.0", "1\t:\t20.0;\t2 : 5;\n")));
    INFO(errors_of(trips));
    REQUIRE(trips);
    CHECK(trips.value().total_flow() == 30.0);
    CHECK(trips.value().intrazonal_flow() == 5.0);
    REQUIRE(trips.value().row(1).size() == 1);
    CHECK(trips.value().row(1)[0].destination == 0);
    CHECK(trips.value().row(1)[0].flow == 20.0);
  }
  SECTION("demand to an unknown zone") {
    auto trips = read_trips(
      dir.write("trips.tntp", trips_text("30.0", "1 : 20.0; 3 : 5.0;\n")));
    REQUIRE_FALSE(trips);
    INFO(describe(trips.errors()));
    REQUIRE(trips.errors().size() == 1);
    CHECK(has_error(trips.errors(), 8, "demand to unknown zone 3"));
  }
  SECTION("zones beyond the network's are unknown too") {
    auto trips = read_trips(
      dir.write("trips.tntp", trips_text("30.0", "1 : 20.0;\n")), 1);
    REQUIRE_FALSE(trips);
    INFO(describe(trips.errors()));
    CHECK(has_error(trips.errors(), 6, "demand to unknown zone 2"));
    CHECK(has_error(trips.errors(), 7, "unknown origin zone '2'"));
  }
  SECTION("truncated file: demand falls short of <TOTAL OD FLOW>") {
    auto trips = read_trips(
      dir.write("trips.tntp", trips_text("50.0", "1 : 20.0;\n")));
    REQUIRE_FALSE(trips);
    INFO(describe(trips.errors()));
    CHECK(has_error(trips.errors(), 2, "truncated file"));
  }
  SECTION("record cut in the middle") {
    auto trips = read_trips(
      dir.write("trips.tntp", trips_text("30.0", "1 : 20.0; 2 :")));
    REQUIRE_FALSE(trips);
    INFO(describe(trips.errors()));
    CHECK(has_error(trips.errors(), 8, "expected 'destination : flow'"));
  }
}

TEST_CASE("reader loads the published TNTP files", "[scenarios][assignment]") {
  auto net_file = tntp_file("ChicagoSketch", "ChicagoSketch_net.tntp");
  auto trips_file = tntp_file("ChicagoSketch", "ChicagoSketch_trips.tntp");
  auto flow_file = tntp_file("ChicagoSketch", "ChicagoSketch_flow.tntp");
  auto node_file = tntp_file("ChicagoSketch", "ChicagoSketch_node.tntp");
  CITYTWIN_REQUIRE_DATA(net_file);
  auto net = read_network(net_file);
  REQUIRE(net);
  // Counts from notes/simulation.md §1.
  CHECK(net.value().num_nodes() == 933);
  CHECK(net.value().num_links() == 2950);
  CHECK(net.value().num_zones() == 387);
  CHECK(net.value().passable(0)); // FIRST THRU NODE 1.
  // First record: 1 547 49500 0.86267 0 0.15 4 0 0 3 (a connector).
  CHECK(net.value().at(0).to == 546);
  CHECK(net.value().at(0).length == Approx(0.86267));
  CHECK(net.value().at(0).link_type == 3);
  auto trips = read_trips(trips_file, net.value().num_zones());
  REQUIRE(trips);
  // 1,260,907.44 in the file, of which 123,414 intrazonal (not assigned).
  CHECK(trips.value().total_flow() + trips.value().intrazonal_flow()
        == Approx(1260907.44).epsilon(1e-9));
  CHECK(trips.value().intrazonal_flow() == Approx(123414).epsilon(1e-9));
  auto flows = read_flows(flow_file);
  REQUIRE(flows);
  CHECK(flows.value().size() == 2950);
  auto nodes = read_nodes(node_file);
  REQUIRE(nodes);
  CHECK(nodes.value().size() == 933);
  CHECK(nodes.value()[0].x == 690309); // "1 690309 1976022 ;"
}
