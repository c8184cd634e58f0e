// tests/adapters/ingest/binding_table.cpp
#include "adapters/ingest/binding_table.hpp"

#include "twin/error.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace citytwin;
using namespace citytwin::ingest;

namespace {

caf::expected<binding_table> read(const std::string& text) {
  std::istringstream in{text};
  return read_bindings(in, "test.bindings");
}

} // namespace

TEST_CASE("binding tables map names and device prefixes", "[adapters]") {
  auto table = read("citytwin-bindings 1\n"
                    "city test\n"
                    "# exact names win over device prefixes\n"
                    "name lamp-7:level urn:ngsi-ld:StreetLight:test:000007 "
                    "dim_level\n"
                    "device urn:dev:lamp:3: urn:ngsi-ld:StreetLight:test:3\n");
  REQUIRE(table);
  CHECK(table->city() == "test");
  CHECK(table->size() == 2);
  auto exact = table->find("lamp-7:level");
  REQUIRE(exact.ok);
  CHECK(exact.found.target
        == twin::entity_id{twin::entity_kind::street_lamp, 7});
  CHECK(exact.found.what == twin::quantity::dim_level);
  // The rest of the name after the prefix is a quantity, snake or NGSI.
  auto by_device = table->find("urn:dev:lamp:3:power");
  REQUIRE(by_device.ok);
  CHECK(by_device.found.target.number == 3);
  CHECK(by_device.found.what == twin::quantity::power);
  CHECK(table->find("urn:dev:lamp:3:dimLevel").found.what
        == twin::quantity::dim_level);
  auto unknown_q = table->find("urn:dev:lamp:3:colour");
  CHECK_FALSE(unknown_q.ok);
  CHECK(unknown_q.reason == reject_reason::unknown_quantity);
  auto unknown = table->find("urn:dev:lamp:4:power");
  CHECK_FALSE(unknown.ok);
  CHECK(unknown.reason == reject_reason::unknown_entity);
}

TEST_CASE("a bad binding file reports every problem", "[adapters]") {
  auto table = read("citytwin-bindings 1\n"
                    "city test\n"
                    "name a urn:ngsi-ld:StreetLight:other:1 dim_level\n"
                    "name b urn:ngsi-ld:StreetLight:test:1 pm10\n"
                    "name c urn:ngsi-ld:Nope:test:1 dim_level\n"
                    "device nocolon urn:ngsi-ld:StreetLight:test:1\n"
                    "name d urn:ngsi-ld:StreetLight:test:1 dim_level\n"
                    "name d urn:ngsi-ld:StreetLight:test:2 dim_level\n"
                    "bogus line\n");
  REQUIRE_FALSE(table);
  auto text = twin::describe(table.error());
  // Lines 3 (other city), 4 (lamps have no pm10), 5 (unknown type),
  // 6 (prefix without separator), 8 (name bound twice), 9 (syntax).
  for (auto line : {":3:", ":4:", ":5:", ":6:", ":8:", ":9:"})
    CHECK(text.find(line) != std::string::npos);
  CHECK(text.find(":7:") == std::string::npos);
  CHECK_FALSE(read("city test\n"));
  CHECK_FALSE(read(""));
}
