// tests/twin/json_text.cpp: JSON text written by hand reads back as what
// nlohmann writes.
#include "twin/json_text.hpp"

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <limits>

using namespace citytwin;

TEST_CASE("strings are escaped as nlohmann escapes them", "[json_text]") {
  for (std::string text : {std::string{""}, std::string{"plain"},
                           std::string{"quote \" and \\ backslash"},
                           std::string{"tab\tnew\nline\rcr\bbs\fff"},
                           std::string{"\x01\x1f ctl"}, std::string{"\0nul", 4},
                           std::string{"Aarhus \xc3\xa6\xc3\xb8\xc3\xa5 \xe2\x82\xac"}}) {
    std::string out;
    twin::append_json_string(out, text);
    CHECK(out == nlohmann::json(text).dump());
  }
}

TEST_CASE("numbers read back as the same double", "[json_text]") {
  for (double x : {0.0, -0.0, 1.0, -3.0, 0.375, 10.2039, 56.1629, 1e-7, 123456789.0,
                   1e15, 1e16, 1e21, 1.7976931348623157e308, 5e-324, -2.5e-5}) {
    std::string out;
    twin::append_json_number(out, x);
    INFO(out);
    auto back = nlohmann::json::parse(out);
    CHECK(back.is_number_float());
    CHECK(back.get<double>() == x);
  }
  // What the live entities hold most: the same text as nlohmann's.
  for (double x : {0.0, 1.0, 40.0, 0.375, 10.2039, 56.1629, 700.0}) {
    std::string out;
    twin::append_json_number(out, x);
    CHECK(out == nlohmann::json(x).dump());
  }
  for (double x : {std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::infinity()}) {
    std::string out;
    twin::append_json_number(out, x);
    CHECK(out == "null");
  }
}
