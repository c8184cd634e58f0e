// tests/twin/percent.cpp
#include "twin/percent.hpp"

#include <catch2/catch.hpp>

using namespace citytwin::twin;

namespace {

using decoded = std::optional<std::string>;

} // namespace

TEST_CASE("percent_decode reads escapes of either case", "[twin]") {
  CHECK(percent_decode("a%2Cb") == decoded{"a,b"});
  CHECK(percent_decode("a%2cb") == decoded{"a,b"});
  CHECK(percent_decode("%41%42") == decoded{"AB"});
  CHECK(percent_decode("") == decoded{""});
  CHECK(percent_decode("plain") == decoded{"plain"});
  // %00 and %FF are bytes like any other.
  CHECK(percent_decode("%00%ff") == decoded{std::string{"\0\xff", 2}});
  // An escaped '%' is not read again.
  CHECK(percent_decode("%2541") == decoded{"%41"});
}

TEST_CASE("percent_decode keeps '+' unless told it is a blank", "[twin]") {
  // NGSI-LD paths and queries: clients write a blank as %20.
  CHECK(percent_decode("a+b%20c") == decoded{"a+b c"});
  CHECK(percent_decode("a+b%20c", plus_sign::literal) == decoded{"a+b c"});
  // Form encoding, as the viewer's stream filters use it.
  CHECK(percent_decode("a+b%20c", plus_sign::space) == decoded{"a b c"});
  CHECK(percent_decode("%2B", plus_sign::space) == decoded{"+"});
}

TEST_CASE("percent_decode refuses broken escapes", "[twin]") {
  for (auto plus : {plus_sign::literal, plus_sign::space}) {
    CHECK_FALSE(percent_decode("%", plus));
    CHECK_FALSE(percent_decode("%2", plus));
    CHECK_FALSE(percent_decode("a%", plus));
    CHECK_FALSE(percent_decode("%g1", plus));
    CHECK_FALSE(percent_decode("%1g", plus));
    CHECK_FALSE(percent_decode("%-1", plus));
    CHECK_FALSE(percent_decode("%+1", plus));
    CHECK_FALSE(percent_decode("ok%41%zz", plus));
  }
}

TEST_CASE("city-file tokens round-trip through percent_encode", "[twin]") {
  CHECK(percent_encode("Main St, 5%") == "Main%20St%2C%205%25");
  CHECK(percent_encode("a=b;c#d\te") == "a%3Db%3Bc%23d%09e");
  std::string all;
  for (int b = 0; b < 256; ++b)
    all += static_cast<char>(b);
  auto token = percent_encode(all);
  CHECK(token.find_first_of(" \t=;,#") == std::string::npos);
  CHECK(percent_decode_lenient(token) == all);
  CHECK(percent_decode(token) == decoded{all});
}

TEST_CASE("percent_decode_lenient keeps malformed escapes as written",
          "[twin]") {
  CHECK(percent_decode_lenient("100%") == "100%");
  CHECK(percent_decode_lenient("%zz%41") == "%zzA");
  CHECK(percent_decode_lenient("%4") == "%4");
  CHECK(percent_decode_lenient("a+b") == "a+b");
  CHECK(percent_decode_lenient("%%41") == "%A");
}
