// tests/adapters/ingest/senml.cpp
#include "adapters/ingest/senml.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace citytwin::ingest;

namespace {

// A fixed "now" well above 2^28, so relative times are easy to check.
constexpr double now_s = 1'700'000'000;

const senml_record* find(const senml_pack& pack, const std::string& name,
                         double time_s) {
  for (const auto& x : pack.records)
    if (x.name == name && x.time_s == Approx(time_s).margin(1e-6))
      return &x;
  return nullptr;
}

size_t count(const senml_pack& pack, reject_reason why) {
  return static_cast<size_t>(
    std::count_if(pack.rejected.begin(), pack.rejected.end(),
                  [why](const senml_rejection& x) { return x.reason == why; }));
}

} // namespace

TEST_CASE("SenML ex3 resolves base name, time and unit", "[adapters]") {
  // RFC 8428 / core-wg/senml-spec ex3.json; ex3.gen.resolved.json gives
  // the second record as {n: ...:current, u: A, t: 1276020071.001, v: 1.2}.
  auto pack = parse_senml(R"([
    {"bn":"urn:dev:ow:10e2073a0108006:","bt":1276020076.001,"bu":"A",
     "bver":5,"n":"voltage","u":"V","v":120.1},
    {"n":"current","t":-5,"v":1.2},
    {"n":"current","t":-4,"v":1.3},
    {"n":"current","t":-3,"v":1.4},
    {"n":"current","t":-2,"v":1.5},
    {"n":"current","t":-1,"v":1.6},
    {"n":"current","v":1.7}])",
                          now_s);
  REQUIRE_FALSE(pack.failed);
  CHECK(pack.rejected.empty());
  REQUIRE(pack.records.size() == 7);
  const auto* first = find(pack, "urn:dev:ow:10e2073a0108006:current",
                           1276020071.001);
  REQUIRE(first != nullptr);
  CHECK(first->unit == "A"); // inherited from bu
  CHECK(*first->value == 1.2);
  const auto* voltage = find(pack, "urn:dev:ow:10e2073a0108006:voltage",
                             1276020076.001);
  REQUIRE(voltage != nullptr);
  CHECK(voltage->unit == "V"); // u overrides bu
  // Resolved records are sorted by time: t = -5 comes first.
  CHECK(pack.records.front().value == 1.2);
  CHECK(std::is_sorted(pack.records.begin(), pack.records.end(),
                       [](const auto& a, const auto& b) {
                         return a.time_s < b.time_s;
                       }));
}

TEST_CASE("SenML times below 2^28 are relative to now", "[adapters]") {
  auto pack = parse_senml(
    R"([{"n":"a","v":1},{"n":"b","t":-10,"v":2},)"
    R"({"bt":100,"n":"c","t":5,"v":3}])",
    now_s);
  REQUIRE(pack.records.size() == 3);
  CHECK(find(pack, "a", now_s) != nullptr);
  CHECK(find(pack, "b", now_s - 10) != nullptr);
  // bt + t = 105 is still relative.
  CHECK(find(pack, "c", now_s + 105) != nullptr);
}

TEST_CASE("SenML base value and base sum add up", "[adapters]") {
  auto pack = parse_senml(R"([
    {"bn":"m:","bt":1600000000,"bv":10,"bs":100,"n":"a","v":1},
    {"n":"b","t":1,"s":5},
    {"n":"c","t":2},
    {"bv":0,"n":"d","t":3,"v":4}])",
                          now_s);
  REQUIRE_FALSE(pack.failed);
  CHECK(pack.rejected.empty());
  REQUIRE(pack.records.size() == 4);
  CHECK(*pack.records[0].value == 11); // 10 + 1
  CHECK_FALSE(pack.records[0].sum);    // a value, no s: no sum
  CHECK(*pack.records[1].sum == 105);  // 100 + 5
  CHECK(*pack.records[2].sum == 100);  // only the base sum
  CHECK(*pack.records[3].value == 4);  // bv redefined to 0
}

TEST_CASE("SenML string, boolean and data values are kept", "[adapters]") {
  // After ex7: vs, vb, vd.
  auto pack = parse_senml(R"([
    {"bn":"urn:dev:ow:10e2073a01080063:","bt":1320067464,"n":"str","vs":"x"},
    {"n":"flag","t":1,"vb":true},
    {"n":"raw","t":2,"vd":"aGkgCg"}])",
                          now_s);
  REQUIRE(pack.records.size() == 3);
  CHECK(*pack.records[0].text == "x");
  CHECK(*pack.records[1].bool_value);
  CHECK(*pack.records[2].text == "aGkgCg");
}

TEST_CASE("SenML bad records are rejected, good ones kept", "[adapters]") {
  auto pack = parse_senml(R"([
    {"bn":"dev:","bt":1600000000,"n":"ok1","v":1},
    {"n":"wrong","v":"12"},
    {"n":5,"v":1},
    {"n":"novalue"},
    {"n":"two","v":1,"vb":true},
    {"n":"bad name!","v":1},
    {"bn":"","n":"-leading","v":1},
    17,
    {"bn":"dev:","n":"inf","bv":1e308,"v":1e308},
    {"n":"badvd","vd":"no spaces"},
    {"n":"ok2","t":1,"v":2}])",
                          now_s);
  REQUIRE_FALSE(pack.failed);
  REQUIRE(pack.records.size() == 2);
  CHECK(pack.records[0].name == "dev:ok1");
  CHECK(pack.records[1].name == "dev:ok2");
  // "12" as v, 5 as n, both v and vb, 17 as a record, the bad vd.
  CHECK(count(pack, reject_reason::wrong_type) == 5);
  CHECK(count(pack, reject_reason::missing_value) == 1);
  CHECK(count(pack, reject_reason::bad_name) == 2);
  // 1e308 + 1e308 overflows to infinity after adding the base value.
  CHECK(count(pack, reject_reason::not_finite) == 1);
  CHECK(pack.rejected.size() == 9);
}

TEST_CASE("SenML packs fail as a whole when unusable", "[adapters]") {
  SECTION("malformed JSON") {
    auto pack = parse_senml(R"([{"n":"a","v":1)", now_s);
    REQUIRE(pack.failed);
    CHECK(pack.failed->reason == reject_reason::malformed_payload);
  }
  SECTION("NaN and overflowing literals are not JSON") {
    CHECK(parse_senml(R"([{"n":"a","v":NaN}])", now_s).failed);
    CHECK(parse_senml(R"([{"n":"a","v":1e999}])", now_s).failed);
  }
  SECTION("not an array") {
    auto pack = parse_senml(R"({"n":"a","v":1})", now_s);
    REQUIRE(pack.failed);
    CHECK(pack.failed->reason == reject_reason::malformed_payload);
  }
  SECTION("a newer version") {
    auto pack = parse_senml(R"([{"bver":11,"n":"a","v":1}])", now_s);
    REQUIRE(pack.failed);
    CHECK(pack.failed->reason == reject_reason::unsupported);
  }
  SECTION("a must-understand field") {
    auto pack = parse_senml(R"([{"n":"a","v":1},{"n":"b","v":1,"x_":1}])",
                            now_s);
    REQUIRE(pack.failed);
    CHECK(pack.failed->reason == reject_reason::unsupported);
    CHECK(pack.records.empty());
  }
}

TEST_CASE("SenML names follow RFC 8428", "[adapters]") {
  CHECK(valid_senml_name("urn:dev:ow:10e2073a0108006:voltage"));
  CHECK(valid_senml_name("a/b_c.d-e"));
  CHECK_FALSE(valid_senml_name(""));
  CHECK_FALSE(valid_senml_name("_x"));
  CHECK_FALSE(valid_senml_name("a b"));
  CHECK_FALSE(valid_senml_name("a\r"));
}
