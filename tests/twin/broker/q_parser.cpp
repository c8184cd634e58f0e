// tests/twin/broker/q_parser.cpp
#include "twin/broker/ngsi_query.hpp"
#include "twin/error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using citytwin::broker::parse_q;
using json = nlohmann::json;

namespace {

/// The rendered parse error of `text`, or "parsed" if it parses.
std::string error_of(std::string_view text) {
  auto query = parse_q(text);
  if (query)
    return "parsed";
  CHECK(query.error().code()
        == static_cast<uint8_t>(citytwin::twin::errc::malformed_payload));
  return citytwin::twin::describe(query.error());
}

} // namespace

TEST_CASE("malformed query structure is rejected with its offset",
          "[broker][q]") {
  using Catch::Matchers::Equals;
  auto e = [](std::string_view text) { return error_of(text); };
  CHECK_THAT(e(""), Equals("malformed_payload: q: empty query at 0"));
  CHECK_THAT(e("   "), Equals("malformed_payload: q: empty query at 0"));
  CHECK_THAT(e("(a==1"),
             Equals("malformed_payload: q: missing ')' for the '(' at 0 at 5"));
  CHECK_THAT(e("a==1)"), Equals("malformed_payload: q: unbalanced ')' at 4"));
  CHECK_THAT(e(")"), Equals("malformed_payload: q: unbalanced ')' at 0"));
  CHECK_THAT(e("()"), Equals("malformed_payload: q: empty parentheses at 1"));
  CHECK_THAT(e("a==1;"),
             Equals("malformed_payload: q: missing query term after ';' at 5"));
  CHECK_THAT(e("a==1|"),
             Equals("malformed_payload: q: missing query term after '|' at 5"));
  CHECK_THAT(e(";a"), Equals("malformed_payload: q: missing query term at 0"));
  CHECK_THAT(e("a;;b"),
             Equals("malformed_payload: q: missing query term after ';' at 2"));
  CHECK_THAT(e("(a|)"),
             Equals("malformed_payload: q: missing query term after '|' at 3"));
  CHECK_THAT(e("a b"), Equals("malformed_payload: q: unexpected 'b' at 2"));
  CHECK_THAT(e("a==1(b)"), Equals("malformed_payload: q: unexpected '(' at 4"));
  CHECK_THAT(e("!"),
             Equals("malformed_payload: q: expected attribute name at 1"));
  CHECK_THAT(e("!(a)"),
             Equals("malformed_payload: q: expected attribute name at 1"));
  CHECK_THAT(e("!a==1"),
             Equals("malformed_payload: q: '!' only negates existence, it "
                    "cannot precede a comparison at 0"));
  CHECK_THAT(e("==1"),
             Equals("malformed_payload: q: expected attribute name at 0"));
}

TEST_CASE("malformed paths and operators are rejected", "[broker][q]") {
  using Catch::Matchers::Equals;
  auto e = [](std::string_view text) { return error_of(text); };
  CHECK_THAT(e("a.==1"),
             Equals("malformed_payload: q: expected sub-attribute name after "
                    "'.' at 2"));
  CHECK_THAT(e("a[]==1"),
             Equals("malformed_payload: q: empty key in '[]' at 2"));
  CHECK_THAT(e("a[b==1"), Equals("malformed_payload: q: missing ']' at 6"));
  CHECK_THAT(e("a[b].c==1"),
             Equals("malformed_payload: q: unexpected '.' at 4"));
  CHECK_THAT(e("a=1"),
             Equals("malformed_payload: q: unknown operator '=' at 1"));
  CHECK_THAT(e("a===1"),
             Equals("malformed_payload: q: unknown operator '===' at 1"));
  CHECK_THAT(e("a<>1"),
             Equals("malformed_payload: q: unknown operator '<>' at 1"));
  CHECK_THAT(e("a=~\"x\""),
             Equals("malformed_payload: q: unknown operator '=~' at 1"));
  CHECK_THAT(e("a!1"),
             Equals("malformed_payload: q: unknown operator '!' at 1"));
}

TEST_CASE("malformed values and ranges are rejected", "[broker][q]") {
  using Catch::Matchers::Equals;
  auto e = [](std::string_view text) { return error_of(text); };
  CHECK_THAT(e("a=="), Equals("malformed_payload: q: missing value at 3"));
  CHECK_THAT(e("a>;b"), Equals("malformed_payload: q: missing value at 2"));
  CHECK_THAT(e("a==1,"), Equals("malformed_payload: q: missing value at 5"));
  CHECK_THAT(e("a==,1"), Equals("malformed_payload: q: missing value at 3"));
  CHECK_THAT(e("a==active"),
             Equals("malformed_payload: q: invalid value 'active' (strings "
                    "must be quoted) at 3"));
  CHECK_THAT(e("a==1.2.3"),
             Equals("malformed_payload: q: invalid value '1.2.3' (strings "
                    "must be quoted) at 3"));
  CHECK_THAT(e("a==2026-13-01"),
             Equals("malformed_payload: q: invalid value '2026-13-01' "
                    "(strings must be quoted) at 3"));
  CHECK_THAT(e("a==25:00:00"),
             Equals("malformed_payload: q: invalid value '25:00:00' (strings "
                    "must be quoted) at 3"));
  CHECK_THAT(e("a==1e999"),
             Equals("malformed_payload: q: invalid value '1e999' (strings "
                    "must be quoted) at 3"));
  CHECK_THAT(e("a==\"open"),
             Equals("malformed_payload: q: unterminated string at 3"));
  CHECK_THAT(e("a==1.."),
             Equals("malformed_payload: q: bad range: missing upper bound at "
                    "6"));
  CHECK_THAT(e("a==..2"), Equals("malformed_payload: q: missing value at 3"));
  CHECK_THAT(e("a==1..2..3"),
             Equals("malformed_payload: q: bad range: more than two bounds at "
                    "7"));
  CHECK_THAT(e("a==1..\"z\""),
             Equals("malformed_payload: q: bad range: bounds of different or "
                    "unordered types at 3"));
  CHECK_THAT(e("a==false..true"),
             Equals("malformed_payload: q: bad range: bounds of different or "
                    "unordered types at 3"));
  CHECK_THAT(e("a==9..1"),
             Equals("malformed_payload: q: bad range: lower bound above upper "
                    "bound at 3"));
  CHECK_THAT(e("a>1..2"),
             Equals("malformed_payload: q: ranges and lists only go with == "
                    "and != at 2"));
  CHECK_THAT(e("a<=1,2"),
             Equals("malformed_payload: q: ranges and lists only go with == "
                    "and != at 3"));
}

TEST_CASE("regular expressions must be one valid quoted string",
          "[broker][q]") {
  using Catch::Matchers::Equals;
  using Catch::Matchers::StartsWith;
  auto e = [](std::string_view text) { return error_of(text); };
  CHECK_THAT(e("a~=abc:x"),
             Equals("malformed_payload: q: a regular expression must be one "
                    "quoted string at 3"));
  CHECK_THAT(e("a~=\"x\",\"y\""),
             Equals("malformed_payload: q: a regular expression must be one "
                    "quoted string at 3"));
  CHECK_THAT(e("a!~=\"(unclosed\""),
             StartsWith("malformed_payload: q: invalid regular expression ("));
  CHECK_THAT(e("a~=\"[z-a]\""),
             StartsWith("malformed_payload: q: invalid regular expression ("));
  // Back-references need the backtracking matcher we avoid (see q_parser).
  CHECK_THAT(e(R"(a~="(x)\1")"),
             StartsWith("malformed_payload: q: invalid regular expression ("));
}

TEST_CASE("pathological input is refused without exhausting the stack",
          "[broker][q]") {
  using Catch::Matchers::Equals;
  // 32 levels of parentheses are fine, the 33rd is refused where it opens.
  std::string deep32 = std::string(32, '(') + "a" + std::string(32, ')');
  CHECK(error_of(deep32) == "parsed");
  std::string deep33 = std::string(33, '(') + "a" + std::string(33, ')');
  CHECK_THAT(error_of(deep33),
             Equals("malformed_payload: q: parentheses nested deeper than 32 "
                    "at 32"));
  std::string deep_open(4000, '(');
  CHECK_THAT(error_of(deep_open),
             Equals("malformed_payload: q: parentheses nested deeper than 32 "
                    "at 32"));
  CHECK_THAT(error_of(std::string(4097, 'a')),
             Equals("malformed_payload: q: query longer than 4096 characters "
                    "at 4096"));
  CHECK(error_of(std::string(4096, 'a')) == "parsed");
  // Long flat chains are no problem: 800 OR-ed terms (3999 characters).
  std::string chain = "a==1";
  for (int i = 0; i < 799; ++i)
    chain += "|a==1";
  auto wide = parse_q(chain);
  REQUIRE(wide);
  CHECK(wide->matches(json{{"a", {{"type", "Property"}, {"value", 1}}}}));
  // Regex matching runs in bounded stack even on a 200 kB value.
  auto pattern = parse_q(R"(a~="^(a|b)*x$")");
  REQUIRE(pattern);
  json big = {
      {"a", {{"type", "Property"}, {"value", std::string(200000, 'a') + "x"}}}};
  CHECK(pattern->matches(big));
  // Deeply nested regex groups compile or fail cleanly, never crash.
  std::string groups
      = "a~=\"" + std::string(1000, '(') + "x" + std::string(1000, ')') + "\"";
  CHECK_FALSE(error_of(groups).empty());
}
