// tests/scenarios/assignment/assign_command.cpp
#include "scenarios/assignment/assign_command.hpp"

#include "scenarios/assignment/tntp_reader.hpp"
#include "tests/scenarios/assignment/test_data.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace citytwin::scenarios::assignment;
using citytwin::scenarios::assignment::test::temp_dir;
using citytwin::scenarios::assignment::test::tntp_file;

namespace {

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> result;
  for (std::string line; std::getline(in, line);)
    result.push_back(line);
  return result;
}

std::size_t count(const std::string& text, const std::string& word) {
  std::size_t result = 0;
  for (auto at = text.find(word); at != std::string::npos;
       at = text.find(word, at + 1))
    ++result;
  return result;
}

} // namespace

TEST_CASE("assign writes link flows and prints progress",
          "[scenarios][assignment]") {
  auto net = tntp_file("SiouxFalls", "SiouxFalls_net.tntp");
  CITYTWIN_REQUIRE_DATA(net);
  temp_dir dir;
  assign_options options;
  options.net_file = net;
  options.trips_file = tntp_file("SiouxFalls", "SiouxFalls_trips.tntp");
  options.out_file = dir.path() / "flows.csv";
  options.target_gap = 1e-10;
  std::ostringstream progress;
  CHECK(run_assign(options, progress)
        == static_cast<int>(assign_exit::converged));
  auto text = progress.str();
  INFO(text);
  // One line per iteration plus the closing line; SiouxFalls needs more
  // than one iteration to reach 1e-10.
  auto iterations = count(text, "iteration ");
  CHECK(iterations > 1);
  CHECK(count(text, "converged") == 1);
  auto csv = read_lines(options.out_file);
  REQUIRE(csv.size() == 77); // Header and 76 links in net-file order.
  CHECK(csv[0] == "from,to,flow,cost");
  // Compare every row with the best-known solution.
  auto bks = read_flows(tntp_file("SiouxFalls", "SiouxFalls_flow.tntp"));
  REQUIRE(bks);
  for (std::size_t i = 0; i < bks.value().size(); ++i) {
    std::istringstream row(csv[i + 1]);
    int from = 0;
    int to = 0;
    double flow = 0;
    double cost = 0;
    char comma = 0;
    row >> from >> comma >> to >> comma >> flow >> comma >> cost;
    const auto& expected = bks.value()[i];
    CHECK(from == expected.from + 1);
    CHECK(to == expected.to + 1);
    CHECK(flow == Approx(expected.volume).margin(0.05));
    CHECK(cost == Approx(expected.cost).epsilon(1e-6));
  }
}

TEST_CASE("assign reports every input error and stops",
          "[scenarios][assignment]") {
  temp_dir dir;
  assign_options options;
  options.net_file = dir.write("net.tntp", "<NUMBER OF NODES> 2\n"
                                           "<NUMBER OF ZONES> 2\n"
                                           "<NUMBER OF LINKS> 1\n"
                                           "<END OF METADATA>\n"
                                           "1 5 10 1 1 0.15 4 ;\n");
  options.trips_file = dir.write("trips.tntp", "<NUMBER OF ZONES> 2\n"
                                               "<END OF METADATA>\n"
                                               "Origin 1\n 4 : 1.0;\n");
  options.out_file = dir.path() / "flows.csv";
  std::ostringstream progress;
  CHECK(run_assign(options, progress)
        == static_cast<int>(assign_exit::input_error));
  auto text = progress.str();
  INFO(text);
  // Both files' problems appear, each with file and line.
  CHECK(text.find("net.tntp:5: unknown node 5") != std::string::npos);
  CHECK(text.find("trips.tntp:4: demand to unknown zone 4")
        != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(options.out_file));
}

TEST_CASE("assign says so when a budget stops it", "[scenarios][assignment]") {
  auto net = tntp_file("SiouxFalls", "SiouxFalls_net.tntp");
  CITYTWIN_REQUIRE_DATA(net);
  temp_dir dir;
  assign_options options;
  options.net_file = net;
  options.trips_file = tntp_file("SiouxFalls", "SiouxFalls_trips.tntp");
  options.out_file = dir.path() / "flows.csv";
  options.target_gap = 1e-12;
  options.max_iterations = 1; // SiouxFalls needs ~20 iterations for 1e-12.
  std::ostringstream progress;
  CHECK(run_assign(options, progress)
        == static_cast<int>(assign_exit::not_converged));
  CHECK(progress.str().find("iteration limit") != std::string::npos);
  CHECK(read_lines(options.out_file).size() == 77);
}
