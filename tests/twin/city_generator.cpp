// tests/twin/city_generator.cpp
#include "twin/city_generator.hpp"

#include "test_data.hpp"
#include "twin/city_file.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace citytwin::twin;

namespace {

std::string text_of(const city& c) {
  std::ostringstream out;
  write_city(out, c);
  return out.str();
}

} // namespace

TEST_CASE("the generator is deterministic per seed", "[twin]") {
  generator_options opts;
  opts.segments = 300;
  opts.seed = 11;
  auto a = text_of(*generate_city(opts));
  auto b = text_of(*generate_city(opts));
  CHECK(a == b);
  opts.seed = 12;
  CHECK(text_of(*generate_city(opts)) != a);
}

TEST_CASE("generated counts follow the options", "[twin]") {
  generator_options opts;
  opts.segments = 2000;
  auto c = generate_city(opts);
  REQUIRE(c);
  CHECK(c->roads.num_segments() == Approx(2000).epsilon(0.05));
  CHECK(c->count(entity_kind::street_lamp) == 5000); // 2.5 per segment
  CHECK(c->count(entity_kind::waste_bin) == 500);
  CHECK(c->count(entity_kind::traffic_counter) == 90); // 30% of 300
  CHECK(c->count(entity_kind::energy_meter) == 45);
  opts.lamps = 7;
  opts.bins = 3;
  opts.sensors = 11;
  c = generate_city(opts);
  CHECK(c->count(entity_kind::street_lamp) == 7);
  CHECK(c->count(entity_kind::waste_bin) == 3);
  CHECK(c->things.size() == 21);
}

TEST_CASE("generated cities are valid city files", "[twin]") {
  generator_options opts;
  opts.segments = 500;
  opts.seed = 3;
  auto text = text_of(*generate_city(opts));
  std::istringstream in{text};
  auto c = read_city(in, "generated");
  REQUIRE(c);
  CHECK(text_of(*c) == text);
  // Every street is two-way, so everything is reachable from anywhere.
  auto first = c->roads.intersections().front()->number;
  CHECK(c->roads.num_reachable(first) == c->roads.num_intersections());
}

TEST_CASE("bad generator options are refused", "[twin]") {
  generator_options opts;
  opts.segments = 3;
  CHECK_FALSE(generate_city(opts));
  opts = {};
  opts.name = "no spaces";
  CHECK_FALSE(generate_city(opts));
  opts = {};
  opts.center = {10, 89};
  CHECK_FALSE(generate_city(opts));
}

TEST_CASE("data/demo.city is the generator's output for seed 42", "[twin]") {
  // data/README.md documents the command that made the demo city; this
  // keeps the committed file and the generator in step.
  generator_options opts;
  opts.seed = 42;
  std::ifstream in{citytwin::test::project_data_dir() + "/demo.city"};
  REQUIRE(in);
  std::stringstream committed;
  committed << in.rdbuf();
  CHECK(text_of(*generate_city(opts)) == committed.str());
}

TEST_CASE("data/aarhus.city, the demo's second tenant, is the generator's "
          "output",
          "[twin]") {
  generator_options opts;
  opts.seed = 7;
  opts.name = "aarhus";
  opts.segments = 400;
  opts.center = {10.18, 56.13};
  std::ifstream in{citytwin::test::project_data_dir() + "/aarhus.city"};
  REQUIRE(in);
  std::stringstream committed;
  committed << in.rdbuf();
  CHECK(text_of(*generate_city(opts)) == committed.str());
}
