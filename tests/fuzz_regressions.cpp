// tests/fuzz_regressions.cpp: the minimised inputs of crashes the fuzzers
// found (fuzz/regressions/<target>/), fed through the same entry point as
// their target, each expected to be refused cleanly: an error value or a
// 4xx answer, no crash, no hang.
//
// Every case here is fixed and runs in the default suite; a new finding
// not fixed yet is added hidden (`[.]`), naming the owner's file and the
// fix, and the `[.]` goes with the fix.
#include "adapters/broker/access_config.hpp"
#include "adapters/broker/broker.hpp"
#include "adapters/ngsi/ngsi_api.hpp"
#include "fuzz/fuzz_input.hpp"
#include "fuzz/http_request_text.hpp"
#include "scenarios/assignment/tntp_reader.hpp"
#include "test_data.hpp"
#include "test_system.hpp"
#include "twin/broker/ngsi_entity.hpp"
#include "twin/broker/ngsi_query.hpp"
#include "twin/broker/subscription.hpp"
#include "twin/json_reader.hpp"
#include "viz/stream_hub.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace citytwin;

namespace {

/// A saved input of fuzz/regressions/<target>/.
std::string regression_path(const std::string& target,
                            const std::string& name) {
  return test::project_data_dir() + "/../fuzz/regressions/" + target + "/"
         + name;
}

std::string regression(const std::string& target, const std::string& name) {
  std::ifstream in{regression_path(target, name), std::ios::binary};
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

// scenarios/assignment/tntp_reader.cpp: map_columns reports a header
// without a required column, but read_network goes on parsing records
// with that column's index `missing` (SIZE_MAX); in parse_link `columns[c]
// + 1` wraps to 0, so the field-count check passes and `fields[SIZE_MAX]`
// is read (out of bounds). Fix: return the errors right after a header
// that lacks a required column.
TEST_CASE("fuzz regression: a TNTP net header without init_node is an error",
          "[security][fuzz-regression]") {
  namespace sa = scenarios::assignment;
  auto net = sa::read_network(regression_path("tntp", "header_without_init_node"));
  REQUIRE_FALSE(net);
  CHECK(sa::to_string(net.errors().front())
          .find("header lacks column 'init_node'")
        != std::string::npos);
}

// Fixed: adapters/ngsi/entity_routes.cpp (query) compiled `idPattern` as an
// ECMAScript std::regex without a length or complexity bound, and
// entity_store.cpp matches it against every id with libstdc++'s
// backtracking executor: `(.*.*.*)*!` takes minutes on one 35-byte id and
// holds an I/O thread meanwhile (the same for subscriptions' idPattern,
// subscription.cpp, matched on every change). Fix: bound the length and
// use the polynomial executor as q_parser.cpp does for `~=`, or refuse
// nested quantifiers.
TEST_CASE("fuzz regression: a backtracking idPattern is answered at once",
          "[security][fuzz-regression]") {
  auto access = broker::load_access_config(test::project_data_dir()
                                           + "/access/demo.yaml");
  REQUIRE(access);
  test::test_system host;
  broker::broker brk{std::move(*access)};
  brk.start_tenants(*host.sys);
  ngsi::ngsi_api api{brk};
  // split() returns views: the text must outlive them.
  auto text = regression("ngsi_api", "id_pattern_backtracking");
  auto requests = fuzz::split(text,
                              fuzz::part_separator, 8);
  REQUIRE(requests.size() == 2);
  auto created = api.handle_blocking(fuzz::parse_request(requests[0]));
  INFO(created.body);
  CHECK(created.status == 201);
  auto start = std::chrono::steady_clock::now();
  auto res = api.handle_blocking(fuzz::parse_request(requests[1]));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds{1});
  // Fixed by compiling client patterns for the linear-time matcher
  // (twin/broker/pattern.hpp): the pattern is valid, and answered.
  CHECK(res.status == 200);
}

// Fixed: viz/stream_hub.cpp (message): `msg.value("type", std::string{})` threw
// nlohmann's type_error when a viewer sends `{"type":1,...}`; nothing
// catches it on the WebSocket thread, so one text frame terminates the
// server. Fix: check `msg["type"].is_string()` before reading it.
TEST_CASE("fuzz regression: a viewer message whose type is no string is "
          "refused",
          "[security][fuzz-regression]") {
  struct null_transport : viz::stream_transport {
    bool send(viz::connection_id, const std::string&, bool) override {
      return true;
    }
    size_t buffered(viz::connection_id) const override {
      return 0;
    }
    void close(viz::connection_id, uint16_t, const std::string&) override {
    }
  } transport;
  auto city = test::small_city();
  viz::stream_hub hub{std::make_shared<viz::city_layout>(city), transport};
  auto text = regression("stream_hub", "type_not_a_string");
  auto parts = fuzz::split(text,
                           fuzz::part_separator, 9);
  REQUIRE(parts.size() == 2);
  hub.open(1, std::string{parts[0]});
  CHECK_NOTHROW(hub.message(1, std::string{parts[1]}, false));
  CHECK(hub.stats().bad_messages == 1);
}

// twin/broker/pattern.cpp: a `~=` pattern with a back-reference of
// nineteen digits overflowed libstdc++'s regex parser (UBSan: signed
// integer overflow in _M_cur_int_value) before it refused the
// back-reference. Fixed: client patterns refuse back-references, and
// repetition counts of more than three digits, before compiling.
TEST_CASE("fuzz regression: a q pattern with a huge back-reference is "
          "refused",
          "[security][fuzz-regression]") {
  auto text = regression("q", "long_backreference");
  auto q = broker::parse_q(text);
  CHECK_FALSE(q);
}

// twin/broker/subscription.cpp: `"type": [...]` made json::value()
// throw type_error (a 500 over HTTP, a terminate in the fuzzer). Fixed:
// members read with value() are type-checked first.
TEST_CASE("fuzz regression: a subscription whose type is an array is "
          "refused",
          "[security][fuzz-regression]") {
  auto read = twin::read_json(regression("subscription", "type_not_a_string"));
  REQUIRE(read);
  caf::expected<broker::subscription> sub{caf::error{}};
  CHECK_NOTHROW(sub = broker::parse_subscription(read.value, "urn:x:s"));
  CHECK_FALSE(sub);
}

// scenarios/assignment/tntp_reader.cpp: a link_type of 9e13 was cast to
// int32 (undefined behaviour, found by UBSan). Fixed: out-of-range types
// are an error of that record.
TEST_CASE("fuzz regression: a TNTP link type beyond int32 is an error",
          "[security][fuzz-regression]") {
  namespace sa = scenarios::assignment;
  auto text = regression("tntp", "link_type_out_of_range");
  auto net_part = std::string{fuzz::split(text, fuzz::part_separator, 4)[0]};
  auto path = std::filesystem::temp_directory_path()
              / ("citytwin-tntp-" + std::to_string(::getpid()) + ".tntp");
  {
    std::ofstream out{path, std::ios::binary};
    out << net_part;
  }
  auto net = sa::read_network(path);
  std::filesystem::remove(path);
  CHECK_FALSE(net);
}

// twin/broker/ngsi_entity.cpp: compact_attribute recursed into every
// object member with a `type`, the value included, and read that type as
// a string: a Property whose value is an object with a numeric "type"
// threw (500 on a concise GET, a crash under the fuzzer), and a GeoJSON
// value lost its geometry type. Fixed: values and objects are data, only
// sub-attributes are compacted.
TEST_CASE("fuzz regression: a value object with a numeric type renders in "
          "every format",
          "[security][fuzz-regression]") {
  auto read = twin::read_json(regression("ngsi_entity", "value_with_numeric_type"));
  REQUIRE(read);
  auto entity = broker::normalize_entity(read.value);
  REQUIRE(entity);
  for (auto format : {broker::entity_format::normalized,
                      broker::entity_format::concise,
                      broker::entity_format::key_values}) {
    broker::json rendered;
    CHECK_NOTHROW(rendered = broker::render_entity(*entity, {}, format, true));
    auto speed = format == broker::entity_format::key_values
                   ? rendered["speed"]
                   : rendered["speed"]["value"];
    CHECK(speed == broker::json{{"type", 35}, {"x", 1}});
    auto where = format == broker::entity_format::key_values
                   ? rendered["hun"]
                   : rendered["hun"]["value"];
    CHECK(where["type"] == "Point");
  }
}
