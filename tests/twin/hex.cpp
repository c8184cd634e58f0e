// tests/twin/hex.cpp
#include "twin/hex.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <vector>

using namespace citytwin::twin;

// hex_value is constexpr, so hot parsers can inline it and these checks
// run at compile time.
static_assert(hex_value('0') == 0 && hex_value('9') == 9);
static_assert(hex_value('a') == 10 && hex_value('F') == 15);
static_assert(hex_value('g') == -1 && hex_value('/') == -1);

TEST_CASE("hex digits of either case have their value, others -1", "[twin]") {
  int num_digits = 0;
  for (int c = 0; c < 256; ++c) {
    auto ch = static_cast<char>(c);
    auto v = hex_value(ch);
    if (v < 0)
      continue;
    ++num_digits;
    CHECK(v < 16);
  }
  // 10 decimal digits plus 6 letters in each case.
  CHECK(num_digits == 22);
  CHECK(hex_value('c') == hex_value('C'));
}

TEST_CASE("to_hex writes lower case and from_hex reads it back", "[twin]") {
  std::array<uint8_t, 3> bytes{0x00, 0xff, 0x41};
  CHECK(to_hex(bytes) == "00ff41");
  CHECK(from_hex("00ff41") == std::optional<std::string>{{'\0', '\xff', 'A'}});
  CHECK(from_hex("00FF41") == from_hex("00ff41"));
  CHECK(to_hex(std::span<const uint8_t>{}).empty());
  CHECK(from_hex("") == std::optional<std::string>{""});
  // Every byte survives the round trip.
  std::vector<uint8_t> all;
  for (int b = 0; b < 256; ++b)
    all.push_back(static_cast<uint8_t>(b));
  auto text = to_hex(all);
  CHECK(text.size() == 512);
  auto back = from_hex(text);
  REQUIRE(back);
  CHECK(std::equal(
      all.begin(), all.end(), back->begin(), back->end(),
      [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); }));
}

TEST_CASE("from_hex refuses odd lengths and non-hex digits", "[twin]") {
  CHECK_FALSE(from_hex("abc"));
  CHECK_FALSE(from_hex("0"));
  CHECK_FALSE(from_hex("0g"));
  CHECK_FALSE(from_hex("g0"));
  CHECK_FALSE(from_hex("-1"));
  CHECK_FALSE(from_hex(" 1"));
}
