// tests/twin/json_reader.cpp: the bounded reader refuses what would cost
// stack or memory, and duplicate keys, while it parses.
#include "twin/json_reader.hpp"

#include <catch2/catch.hpp>

using namespace citytwin::twin;

namespace {

std::string nested(size_t depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

} // namespace

TEST_CASE("read_json refuses deep nesting before it builds anything",
          "[twin][json][security]") {
  // 100,000 levels took the server down through recursive copies.
  for (auto [open, close] : {std::pair{'[', ']'}, std::pair{'{', '}'}}) {
    auto text = open == '['
                    ? nested(100'000, '[', ']')
                    : [] {
                        std::string s;
                        for (int i = 0; i < 100'000; ++i)
                          s += "{\"x\":";
                        s += "1";
                        s += std::string(100'000, '}');
                        return s;
                      }();
    auto read = read_json(text);
    CHECK_FALSE(read);
    CHECK(read.refusal == json_refusal::too_deep);
    CHECK(read.value.is_null());
  }
  CHECK(read_json(nested(32, '[', ']')));
  CHECK(read_json(nested(33, '[', ']')).refusal == json_refusal::too_deep);
  CHECK(read_json(nested(5, '[', ']'), {4, 100}).refusal
        == json_refusal::too_deep);
}

TEST_CASE("read_json counts elements and refuses duplicate keys",
          "[twin][json][security]") {
  std::string many = "[";
  for (int i = 0; i < 1000; ++i)
    many += "1,";
  many += "1]";
  CHECK(read_json(many, {32, 2000}));
  CHECK(read_json(many, {32, 1000}).refusal
        == json_refusal::too_many_elements);
  auto dup = read_json(R"({"id":"a","type":"T","id":"b"})");
  CHECK(dup.refusal == json_refusal::duplicate_key);
  CHECK(dup.detail.find("\"id\"") != std::string::npos);
  // Same key in different objects is fine.
  CHECK(read_json(R"({"a":{"x":1},"b":{"x":2}})"));
}

TEST_CASE("read_json reads what nlohmann reads and refuses the rest",
          "[twin][json]") {
  auto doc = R"({"a":[1,2.5,"x",true,null,{"b":-3}],"c":{}})";
  auto read = read_json(doc);
  REQUIRE(read);
  CHECK(read.value == nlohmann::json::parse(doc));
  for (auto bad : {"", "{", "[1,]", "{\"a\" 1}", "nul", "\"\xff\"", "1e999",
                   "[1] x"}) {
    auto r = read_json(bad);
    CHECK_FALSE(r);
    CHECK(r.refusal == json_refusal::syntax);
    CHECK_FALSE(r.detail.empty());
  }
  CHECK(read_json("42").value == 42);
}
