// tests/adapters/ingest/senml_sax.cpp
// DOM one (`resolve_senml` of a parsed document) on many varied packs.
#include "adapters/ingest/senml.hpp"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <random>

using namespace citytwin::ingest;

namespace {

constexpr double now_s = 1'700'000'000;

// Random JSON values and SenML-ish records, text only: duplicates and
// members of every type are what the two readers must agree on.
struct pack_maker {
  std::mt19937 rng{20261125};

  size_t pick(size_t n) {
    return std::uniform_int_distribution<size_t>{0, n - 1}(rng);
  }

  std::string scalar() {
    switch (pick(9)) {
      case 0:
        return "null";
      case 1:
        return pick(2) == 0 ? "true" : "false";
      case 2:
        return "\"" + std::string{"abcXYZ09-_:/."}.substr(pick(8), 4) + "\"";
      case 3:
        return "\"not base64 !\"";
      case 4:
        return std::to_string(static_cast<int>(pick(2000)) - 1000);
      case 5:
        return std::to_string(1'600'000'000 + pick(1000)) + ".25";
      case 6:
        return "1e308";
      case 7:
        return "18446744073709551615"; // unsigned 64 bit
      default:
        return "-" + std::to_string(pick(100)) + ".5e-1";
    }
  }

  std::string value(int depth = 0) {
    if (depth < 2 && pick(10) == 0)
      return "[" + value(depth + 1) + "," + scalar() + "]";
    if (depth < 2 && pick(12) == 0)
      return "{\"x_\":" + value(depth + 1) + ",\"id\":1}";
    return scalar();
  }

  std::string record() {
    static const char* labels[] = {"bn", "bu", "bt",  "bv", "bs", "bver",
                                   "n",  "u",  "vs",  "vd", "t",  "v",
                                   "s",  "ut", "vb",  "x",  "id", "bver"};
    std::string result = "{";
    // Usually a sensible record, with a few members added at random.
    if (pick(3) != 0)
      result += "\"n\":\"dev:q" + std::to_string(pick(5)) + "\",\"v\":"
                + std::to_string(pick(100)) + ",";
    if (pick(4) == 0)
      result += "\"bn\":\"urn:dev:" + std::to_string(pick(3)) + ":\",";
    if (pick(30) == 0)
      result += "\"ext_\":1,";
    if (pick(20) == 0)
      result += "\"bver\":" + std::string{pick(2) == 0 ? "11" : "12.5"} + ",";
    for (size_t i = pick(4); i > 0; --i) {
      const char* label = labels[pick(std::size(labels))];
      auto v = value();
      // Numbers for times, so that many records survive.
      if (std::string_view{label} == "bt" && pick(2) == 0)
        v = std::to_string(1'600'000'000 + pick(100));
      if (std::string_view{label} == "bver" && v.front() != '"')
        v = std::to_string(pick(12));
      result += "\"" + std::string{label} + "\":" + v + ",";
    }
    if (result.back() == ',')
      result.pop_back();
    return result + "}";
  }

  std::string pack() {
    std::string result = "[";
    for (size_t i = pick(6); i > 0; --i) {
      result += pick(15) == 0 ? value() : record();
      result += ",";
    }
    if (result.back() == ',')
      result.pop_back();
    return result + "]";
  }
};

void check_same(const senml_pack& sax, const senml_pack& dom) {
  REQUIRE(sax.failed.has_value() == dom.failed.has_value());
  if (dom.failed) {
    CHECK(sax.failed->index == dom.failed->index);
    CHECK(sax.failed->reason == dom.failed->reason);
    CHECK(sax.failed->detail == dom.failed->detail);
  }
  REQUIRE(sax.rejected.size() == dom.rejected.size());
  for (size_t i = 0; i < dom.rejected.size(); ++i) {
    CHECK(sax.rejected[i].index == dom.rejected[i].index);
    CHECK(sax.rejected[i].reason == dom.rejected[i].reason);
    CHECK(sax.rejected[i].detail == dom.rejected[i].detail);
  }
  REQUIRE(sax.records.size() == dom.records.size());
  for (size_t i = 0; i < dom.records.size(); ++i) {
    const auto& a = sax.records[i];
    const auto& b = dom.records[i];
    CHECK(a.index == b.index);
    CHECK(a.name == b.name);
    CHECK(a.unit == b.unit);
    CHECK(a.time_s == b.time_s);
    CHECK(a.value == b.value);
    CHECK(a.sum == b.sum);
    CHECK(a.bool_value == b.bool_value);
    CHECK(a.text == b.text);
  }
}

senml_pack dom_parse(const std::string& text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    senml_pack result;
    result.failed = senml_rejection{0, reject_reason::malformed_payload,
                                    "malformed JSON"};
    return result;
  }
  return resolve_senml(doc, now_s);
}

} // namespace

TEST_CASE("SenML SAX and DOM readers agree on varied packs", "[adapters]") {
  pack_maker make;
  size_t num_records = 0;
  size_t num_rejected = 0;
  size_t num_failed = 0;
  for (int i = 0; i < 3000; ++i) {
    auto text = make.pack();
    INFO(text);
    auto sax = parse_senml(text, now_s);
    check_same(sax, dom_parse(text));
    num_records += sax.records.size();
    num_rejected += sax.rejected.size();
    num_failed += sax.failed.has_value();
  }
  // The packs cover all three outcomes, each many times.
  CHECK(num_records > 1000);
  CHECK(num_rejected > 1000);
  CHECK(num_failed > 100);
}

TEST_CASE("SenML SAX reader: duplicates, nesting, not a pack",
          "[adapters]") {
  for (std::string text : {
         // The last duplicate counts, as in the DOM.
         R"([{"n":"a","t":1600000000,"v":"x","v":2}])",
         R"([{"n":"a","t":1600000000,"v":2,"v":"x"}])",
         R"([{"bver":11,"bver":3,"n":"a","v":1}])",
         // Nested values are the wrong type; deeper members do not count.
         R"([{"n":"a","v":[1],"u":{"z_":1}}])",
         R"([[{"n":"a","v":1}],{"n":"b","v":2}])",
         R"({"n":"a","v":1})",
         R"(17)",
         R"([{"n":"a","v":1}] [])",
         R"([{"n":"a","v":1},])",
         R"([])",
       }) {
    INFO(text);
    check_same(parse_senml(text, now_s), dom_parse(text));
  }
  auto last = parse_senml(R"([{"n":"a","t":1600000000,"v":"x","v":2}])",
                          now_s);
  REQUIRE(last.records.size() == 1);
  CHECK(*last.records[0].value == 2);
}

TEST_CASE("SenML SAX reader stops at NGSI-LD entity arrays", "[adapters]") {
  auto ngsi = parse_senml(R"([{"id":"urn:ngsi-ld:X:y:1","type":"X"}])",
                          now_s, true);
  CHECK(ngsi.is_ngsi_ld);
  CHECK(ngsi.records.empty());
  CHECK_FALSE(ngsi.failed);
  // Only the first element decides, and only a member of it.
  CHECK_FALSE(parse_senml(R"([5,{"id":1,"n":"a","v":1}])", now_s, true)
                .is_ngsi_ld);
  CHECK_FALSE(parse_senml(R"([{"n":"a","v":{"id":1}}])", now_s, true)
                .is_ngsi_ld);
  // Without detection an `id` is just an unknown label.
  auto plain = parse_senml(R"([{"id":1,"n":"a","v":1}])", now_s);
  CHECK_FALSE(plain.is_ngsi_ld);
  CHECK(plain.records.size() == 1);
}

TEST_CASE("SenML reader accepts exactly the JSON the DOM parser accepts",
          "[adapters]") {
  // Strings, numbers and structure at the edges of RFC 8259, each inside
  // an otherwise valid record so the outcome shows in the resolved pack.
  auto rec = [](const std::string& member) {
    return R"([{"bn":"d:","bt":1600000000,"n":"a",)" + member + "}]";
  };
  std::vector<std::string> texts = {
    rec(R"("v":1,"u":"\u0041\n\t\"\\\/\b\f\r")"),
    rec(R"("v":1,"vs":"\ud83d\ude00 \u00e9 \u0000")"),
    rec(R"("v":1,"x":"\ud83d")"),        // lone high surrogate
    rec(R"("v":1,"x":"\ude00")"),        // lone low surrogate
    rec(R"("v":1,"x":"\ud83d\u0041")"),  // high then no low
    rec(R"("v":1,"x":"\x41")"),          // unknown escape
    rec(R"("v":1,"x":"\u12")"),          // short \u
    rec("\"v\":1,\"x\":\"a\tb\""),       // raw control character
    rec("\"v\":1,\"x\":\"a\x7f\""),      // DEL is fine
    rec("\"v\":1,\"x\":\"\xc3\xa9\""),   // UTF-8
    rec("\"v\":1,\"x\":\"\xc3\""),       // truncated sequence
    rec("\"v\":1,\"x\":\"\xc0\xaf\""),   // overlong
    rec("\"v\":1,\"x\":\"\xed\xa0\x80\""), // encoded surrogate
    rec("\"v\":1,\"n\xc3\xa9\":2"),      // UTF-8 in a key
    rec(R"("v":-0)"),
    rec(R"("v":-0.0)"),
    rec(R"("v":1E5)"),
    rec(R"("v":1e+5)"),
    rec(R"("v":2.5e-3)"),
    rec(R"("v":01)"),
    rec(R"("v":1.)"),
    rec(R"("v":.5)"),
    rec(R"("v":-)"),
    rec(R"("v":+1)"),
    rec(R"("v":1e)"),
    rec(R"("v":1e400)"),
    rec(R"("v":-1e400)"),
    rec(R"("v":1e-400)"),
    rec(R"("v":18446744073709551615)"),
    rec(R"("v":18446744073709551616)"),
    rec(R"("v":-9223372036854775808)"),
    rec(R"("v":-9223372036854775809)"),
    rec(R"("v":123456789012345678901234567890)"),
    rec(R"("v":0.1000000000000000055511151231257827)"),
    rec(R"("v":NaN)"),
    rec(R"("v":Infinity)"),
    rec(R"("vb":true)"),
    rec(R"("vb":True)"),
    rec(R"("vb":tru)"),
    rec(R"("v":1,"x":nul)"),
    rec(R"("v":1,"x":[[[[{"a":[{}]}]]],[]])"),
    rec(R"("v":1,"x":[1,])"),
    rec(R"("v":1,"x":{"a":1,})"),
    rec(R"("v":1,"x":{"a" 1})"),
    rec(R"("v":1,"x":{1:1})"),
    rec(R"("v":1,"x":[1 2])"),
    rec(R"("v":1,"bver":11.0)"),
    rec(R"("v":1,"bver":1.1e1)"),
    rec(R"("v":1,"bver":11)"),
    rec(R"("v" : 1 , "t" : -1 )"),
    "\xef\xbb\xbf[{\"n\":\"a\",\"v\":1}]", // byte-order mark
    "\xef\xbb[{\"n\":\"a\",\"v\":1}]",
    " \r\n\t[ {\"n\":\"a\",\"v\":1} ] \n",
    "\f[{\"n\":\"a\",\"v\":1}]", // form feed is no JSON blank
    // nlohmann stops at a NUL byte, and so must the reader.
    std::string{"[{\"n\":\"a\",\"v\":1}]\0x", 19},
    std::string{"[{\"n\":\"a\",\"v\":1}\0]", 18},
    std::string{"[{\"n\":\"a\",\"v\":1\0}]", 18},
    std::string{"[{\"n\":\"a\0\",\"v\":1}]", 18},
    "",
    " ",
    "[",
    "]",
    "[{}]",
    "[{\"n\":\"a\",\"v\":1}",
    "[{\"n\":\"a\",\"v\":1}]]",
    "null",
    "\"pack\"",
  };
  for (const auto& text : texts) {
    INFO(text);
    check_same(parse_senml(text, now_s), dom_parse(text));
  }
}

TEST_CASE("SenML reader and DOM parser agree on damaged packs",
          "[adapters]") {
  pack_maker make;
  std::mt19937 rng{7};
  auto pick = [&](size_t n) {
    return std::uniform_int_distribution<size_t>{0, n - 1}(rng);
  };
  const std::string noise{"[]{}:,\"\\ 0123456789.eE+-tfnu\x80\xc3\xff\0", 32};
  size_t failed = 0;
  for (int i = 0; i < 5000; ++i) {
    auto text = make.pack();
    // One to three random byte edits: delete, insert or replace.
    for (size_t edits = 1 + pick(3); edits > 0 && !text.empty(); --edits) {
      auto at = pick(text.size());
      switch (pick(3)) {
        case 0:
          text.erase(at, 1);
          break;
        case 1:
          text.insert(at, 1, noise[pick(noise.size())]);
          break;
        default:
          text[at] = noise[pick(noise.size())];
      }
    }
    INFO(text);
    auto sax = parse_senml(text, now_s);
    check_same(sax, dom_parse(text));
    failed += sax.failed.has_value();
  }
  // Most edits break the JSON; some keep it valid.
  CHECK(failed > 1000);
  CHECK(failed < 5000);
}
